"""The shape every concept-lab task shares, so the API, CLI and agent tools treat them alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel


class QuizItem(BaseModel):
    """One quiz question with its reference answer; the tutor asks it, the evaluator grades it."""

    question: str
    answer: str


@dataclass(frozen=True)
class Concept:
    """A runnable, explained GenAI concept.

    `run` is pure: it takes a validated `input_model` instance and returns JSON-able data.
    `notes_errata` lists where the course notes disagree with the primary paper, and what
    this task computes instead; the tutor quotes it.
    """

    name: str
    title: str
    section: str
    explanation: str
    input_model: type[BaseModel]
    example: dict[str, Any]
    run: Callable[[Any], dict[str, Any]]
    quiz: list[QuizItem]
    references: list[str] = field(default_factory=list)
    notes_errata: list[str] = field(default_factory=list)

    def execute(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Validate raw inputs (raises pydantic.ValidationError) and run the concept."""
        return self.run(self.input_model.model_validate(raw))
