"""The concept lab: small, pure, runnable explanations of GenAI concepts, checked against the papers."""

from tools.concepts.base import Concept, QuizItem
from tools.concepts.registry import (
    ALIASES,
    CONCEPTS,
    get_concept,
    list_concepts,
    render_errata_markdown,
    resolve_name,
)

__all__ = [
    "ALIASES",
    "CONCEPTS",
    "Concept",
    "QuizItem",
    "get_concept",
    "list_concepts",
    "render_errata_markdown",
    "resolve_name",
]
