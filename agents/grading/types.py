"""What a grade is, whichever way it was reached."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Verdict = Literal["correct", "partially correct", "incorrect"]
#: exact: numbers compared with the reference's computed values; set: an exact set comparison;
#: checks: a deterministic verdict on free text (a contradiction, or full/absent agreement with the
#: reference) that overrides the judge; judge: the model's constrained verdict, within the caps the
#: checks allow; none: nothing to grade (empty answer).
GradeMethod = Literal["exact", "set", "checks", "judge", "none"]


class Grade(BaseModel):
    """A 0-10 score with a verdict and reasons, grounded in a reference from the concept lab."""

    score: float = Field(ge=0.0, le=10.0)
    verdict: Verdict
    reasons: list[str] = Field(default_factory=list)
    method: GradeMethod
    reference: str = Field(description="The reference answer the grade was checked against.")
    concept: str | None = None
    question: str = ""
    contradictions: list[str] = Field(default_factory=list, description="Why the answer contradicts the reference.")
    judge_score: int | None = Field(default=None, description="The model judge's own score, before the checks.")

    def render(self) -> str:
        """The evaluator persona's text: 'SCORE: n', then 'REASONS:' and bullet points."""
        reasons = self.reasons or [self.verdict]
        lines = [f"SCORE: {self.score:g}", "REASONS:", *(f"- {r}" for r in reasons)]
        return "\n".join(lines)


def verdict_for(score: float) -> Verdict:
    """The verdict a score means: >= 7 correct, <= 4 incorrect, partially correct between."""
    if score >= 7:
        return "correct"
    if score <= 4:
        return "incorrect"
    return "partially correct"


__all__ = ["Grade", "GradeMethod", "Verdict", "verdict_for"]
