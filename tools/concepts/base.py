"""The shape every concept-lab task shares, so the API, CLI and agent tools treat them alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from tools.course.errata import Erratum


class QuizItem(BaseModel):
    """One quiz question with its reference answer; the tutor asks it, the evaluator grades it."""

    question: str
    answer: str


@dataclass(frozen=True)
class Concept:
    """A runnable, explained GenAI concept.

    `run` is pure: it takes a validated `input_model` instance and returns JSON-able data.
    `errata` lists where the course notes disagree with a primary source (structured, with a
    kind); `notes_errata` is their rendered text, which the tutor quotes and the index cites.
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
    errata: list[Erratum] = field(default_factory=list)

    @property
    def notes_errata(self) -> list[str]:
        """Each erratum as one line: 'Lines 1184-1189 (imprecise): ...'."""
        return [e.text for e in self.errata]

    def execute(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Validate raw inputs (raises pydantic.ValidationError) and run the concept."""
        return self.run(self.input_model.model_validate(raw))
