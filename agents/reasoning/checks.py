"""Reading an evaluator step's grounded grade as a concept-lab check of one answer.

Only what the concept lab decides counts as verification: a grade reached by the exact
checks (computed numbers, sets, or the deterministic text checks) verifies or refutes an
answer; a grade the model judge decided, or a free grade when the course has nothing to
check against, leaves the answer unverified (None). An answer contradicts the concept lab
when the grader found a contradiction, or the exact numbers / set comparison found it wrong.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

#: Grade methods whose verdict the concept lab reached (see agents.grading.types.GradeMethod).
CHECKED_METHODS = ("exact", "set", "checks")
#: Grade methods that compare with computed values: an "incorrect" there is a contradiction.
EXACT_METHODS = ("exact", "set")


class AnswerCheck(BaseModel):
    """One answer checked by an evaluator step: verified, refuted, or left open."""

    by: str = Field(description="persona@framework of the evaluator step")
    verified: bool | None = None
    contradicts: bool = False
    score: float | None = None
    verdict: str | None = None
    method: str | None = None
    reasons: list[str] = Field(default_factory=list)
    reference: str | None = Field(default=None, description="the concept lab's reference answer, when grounded")
    concept: str | None = None
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


def grade_task(question: str, answer: str) -> str:
    """The evaluator's task for one answer, in the form its grounded grader reads (agents.grading.request)."""
    quote = next((q for q in ("'", '"', "“") if q not in question), "'")
    close = "”" if quote == "“" else quote
    return f"Grade this answer to {quote}{question.strip()}{close}: {answer.strip()}"


def read_check(by: str, grounding: dict[str, Any] | None, score: float | None = None) -> AnswerCheck:
    """The check a grounded grade (`AgentReply.grounding`) amounts to; no grounding leaves it open."""
    if not grounding:
        return AnswerCheck(by=by, score=score)
    method = str(grounding.get("method") or "")
    verdict = str(grounding.get("verdict") or "")
    contradictions = [str(c) for c in grounding.get("contradictions") or []]
    contradicts = bool(contradictions) or (method in EXACT_METHODS and verdict == "incorrect")
    verified: bool | None = None
    if contradicts:
        verified = False
    elif method in CHECKED_METHODS and verdict in ("correct", "incorrect"):
        verified = verdict == "correct"
    return AnswerCheck(
        by=by,
        verified=verified,
        contradicts=contradicts,
        score=grounding.get("score", score),
        verdict=verdict or None,
        method=method or None,
        reasons=contradictions or [str(r) for r in grounding.get("reasons") or []],
        reference=grounding.get("reference"),
        concept=grounding.get("concept"),
    )


__all__ = ["CHECKED_METHODS", "AnswerCheck", "grade_task", "read_check"]
