"""Verdicts: whether one column's answer to one item is right, by the suite's own rule.

- GSM8K: exact match on the final number;
- Game of 24: the exact verifier (the expression uses the puzzle's numbers once and makes 24);
- concept quizzes: the evaluator's grounded grading (`agents.grading`): verifiable parts
  decide, the judge only what the checks leave open; "correct" counts as right;
- a user's questions: exact match on the normalised answer (numbers compared as numbers);
- code: the programs run in the sandbox; right when at least one sample passes (pass@1 and
  pass@k come from n and c).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.evals.code import run_programs
from agents.evals.suites import SuiteItem
from agents.grading import JudgeCall, grade_answer
from tools.concepts import QuizItem
from tools.evals.answers import canonical_number, normalize_answer
from tools.evals.code import build_program
from tools.evals.gsm8k import gsm8k_correct
from workflows.strategies.game24 import verify_24


@dataclass
class Verdict:
    """A scored answer: right or not, code's n and c, and a few words on why."""

    correct: bool
    n: int | None = None
    c: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def exact_match(answer: str | None, expected: str) -> bool:
    """Normalised equality; when the reference is a number, the answer's stated number must equal it."""
    if answer is None:
        return False
    numeric = canonical_number(expected) is not None
    return normalize_answer(answer, numeric=numeric) == normalize_answer(expected, numeric=numeric)


async def score_text(item: SuiteItem, answer: str | None, judge: JudgeCall | None = None) -> Verdict:
    """The verdict on a text answer to a gsm8k, game24, quiz or qa item."""
    if item.kind == "gsm8k":
        return Verdict(gsm8k_correct(answer, item.data["number"]))
    if item.kind == "game24":
        return Verdict(verify_24(answer, item.input))
    if item.kind == "qa":
        return Verdict(exact_match(answer, item.expected or ""))
    if item.kind == "quiz":
        quiz = QuizItem(question=item.input, answer=item.expected or "")
        graded = await grade_answer(item.input, answer or "", judge=judge, concept=item.data["concept"], quiz_item=quiz)
        grade = graded.grade
        detail = {"score": grade.score, "verdict": grade.verdict, "method": grade.method, "reasons": grade.reasons[:2]}
        return Verdict(grade.verdict == "correct", detail=detail)
    raise ValueError(f"{item.id} is a {item.kind} item, not a text one")


async def score_code(item: SuiteItem, completions: list[str], *, workers: int, timeout_s: float) -> Verdict:
    """Run each completion's program in the sandbox; c of n passed."""
    programs = [build_program(item.input, c, item.data["test"], item.data.get("entry_point")) for c in completions]
    outcomes = await run_programs(programs, workers=workers, timeout_s=timeout_s)
    passed = sum(o.passed for o in outcomes)
    failures = [o.detail for o in outcomes if not o.passed][:3]
    detail: dict[str, Any] = {"failures": failures} if failures else {}
    return Verdict(passed > 0, n=len(outcomes), c=passed, detail=detail)


__all__ = ["Verdict", "exact_match", "score_code", "score_text"]
