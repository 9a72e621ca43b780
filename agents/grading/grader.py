"""Combine the checks and the judge into one grade; what can be verified decides.

- numbers: the reference's computed (or quiz-stated) values decide; all stated -> 10, none -> 0;
  a value the reference rules out (0.669 for 0.332) or a named quantity with the wrong value
  ("the cross-entropy is 4 bits") caps the grade at CONTRADICTION_CAP;
- sets ("which tokens are kept?"): exact set equality decides;
- free text: the checks settle it when they are confident (a contradiction caps it at
  CONTRADICTION_CAP; covering the reference answer's key terms, or answering a yes/no question
  as the reference does, makes it correct; sharing almost nothing makes it incorrect), and the
  model judge scores only what they leave open. On Gemma 3 270M the judge is weak (see
  bench/results/evaluator*.json), so it decides only that band.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from agents.llm.errors import GatewayError
from agents.llm.types import Usage
from tools.concepts import QuizItem
from tools.grading.contradiction import (
    Contradiction,
    answer_polarity,
    computed_claims,
    expected_polarity,
    find_contradictions,
    rejected_numbers,
)
from tools.grading.numbers import check_numbers, extract_numbers
from tools.grading.sets import check_set
from tools.grading.text import content_stems, coverage, formulas

from .judge import JudgeCall, JudgeVerdict, run_judge
from .reference import Reference, asks_for_value, find_reference
from .types import Grade, GradeMethod, verdict_for

log = logging.getLogger(__name__)

#: The most an answer that contradicts the reference can score.
CONTRADICTION_CAP = 2.0
#: Free text covering this share of the reference answer's content words (and contradicting
#: none of it) is correct whatever the judge says...
COVERED = 0.5
#: ...and below this share it is incorrect.
UNCOVERED = 0.12
#: What the judge is asked when the learner made a claim without its question.
CLAIM_QUESTION = "Is this statement correct?"
#: The score the checks give an unsettled answer when there is no judge (or it failed).
PARTIAL_SCORE = 5.0


@dataclass
class GradeResult:
    """The grade and the model calls it took (none for exact checks)."""

    grade: Grade
    usage: list[Usage] = field(default_factory=list)


class NoReference(LookupError):
    """The course has nothing to check this answer against."""


async def grade_answer(
    question: str,
    answer: str,
    *,
    judge: JudgeCall | None = None,
    concept: str | None = None,
    quiz_item: QuizItem | Mapping[str, str] | None = None,
    reference: Reference | None = None,
    always_judge: bool = False,
) -> GradeResult:
    """Grade `answer` to `question` against the course; raises NoReference when there is none.

    `judge` is only called for free text that the checks cannot settle (with `always_judge`,
    for all free text, the checks still bounding its score); without it the checks' own
    verdict stands.
    """
    ref = reference or find_reference(question, answer=answer, concept=concept, quiz_item=quiz_item)
    if ref is None:
        raise NoReference(f"no concept in the course matches {question or answer!r}")
    if not answer.strip():
        return GradeResult(_grade(ref, 0.0, ["no answer given"], "none"))
    if same_statement(answer, ref.answer):
        return GradeResult(_grade(ref, 10.0, ["states the reference answer"], "exact"))
    if ref.kind == "set":
        settled = _grade_set(ref, answer)
        if settled is not None:
            return GradeResult(settled)
    if ref.kind == "numeric" and any(not n.negated for n in extract_numbers(answer)):
        return GradeResult(_grade_numbers(ref, answer))
    return await _grade_text(ref, answer, judge, always_judge)


def same_statement(answer: str, reference: str) -> bool:
    """The answer states the reference answer itself (case, spacing and final punctuation aside).

    The checks below read sentences for contradictions; they must never mark the course's own
    answer wrong (the quiz reference run found four such misreadings), so it is settled first.
    """

    def canonical(text: str) -> str:
        return " ".join(text.lower().split()).rstrip(" .!")

    return bool(reference.strip()) and canonical(answer) == canonical(reference)


def _grade(ref: Reference, score: float, reasons: list[str], method: GradeMethod, **extra: object) -> Grade:
    return Grade(
        score=round(score, 1),
        verdict=verdict_for(score),
        reasons=reasons,
        method=method,
        reference=ref.answer,
        concept=ref.concept,
        question=ref.question,
        **extra,  # type: ignore[arg-type]
    )


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _grade_set(ref: Reference, answer: str) -> Grade | None:
    assert ref.universe is not None and ref.expected_set is not None
    check = check_set(answer, ref.universe, ref.expected_set)
    if not check.found:
        return None  # names none of the items: nothing exact to compare, the judge decides
    expected = ", ".join(sorted(check.expected))
    if check.equal:
        return _grade(ref, 10.0, [f"keeps exactly {expected}, as the computation does"], "set")
    reasons = []
    if check.missing:
        reasons.append(f"misses {', '.join(check.missing)}")
    if check.extra:
        reasons.append(f"wrongly includes {', '.join(check.extra)}")
    reasons.append(f"the computed set is {expected}")
    overlap = len(check.found & check.expected) / len(check.found | check.expected)
    return _grade(ref, round(4.0 * overlap), reasons, "set")


def _grade_numbers(ref: Reference, answer: str) -> Grade:
    check = check_numbers(answer, list(ref.expected), list(ref.rejected))
    contradictions = rejected_numbers(answer, list(ref.rejected), list(ref.expected))
    if ref.computed:
        contradictions += computed_claims(answer, ref.computed)
    wanted = ", ".join(_fmt(v) for v in ref.expected)
    reasons = [c.reason for c in contradictions]
    if check.all_matched and not contradictions:
        return _grade(ref, 10.0, [f"states {wanted}, matching the reference"], "exact")
    if check.all_matched:
        score = CONTRADICTION_CAP
    else:
        score = 4.0 * check.fraction if not contradictions else min(CONTRADICTION_CAP, 4.0 * check.fraction)
        if check.missing:
            reasons.append(f"expected {', '.join(_fmt(v) for v in check.missing)}")
        if check.matched:
            reasons.append(f"correct: {', '.join(_fmt(v) for v in check.matched)}")
    return _grade(ref, round(score), reasons, "exact", contradictions=[c.reason for c in contradictions])


@dataclass(frozen=True)
class _Settled:
    """A verdict the checks reach on their own: the score bound and which side of it the judge may move."""

    score: float
    reasons: list[str]
    ceiling: bool  # True: the judge may only lower the score; False: only raise it


def _settle(ref: Reference, answer: str, contradictions: list[Contradiction], covered: float) -> _Settled | None:
    """The checks' own verdict on free text, when they are confident: a contradiction, the reference's key
    terms all but covered, a yes/no answered as the reference does, or almost nothing in common (the last
    three only for an answer to a question: a bare claim is judged on contradictions alone)."""
    if contradictions:
        reasons = [f"contradicts the reference: {c.reason}" for c in contradictions[:2]]
        return _Settled(CONTRADICTION_CAP, reasons, ceiling=True)
    if ref.claim:  # a claim without its question need not cover the reference: only a contradiction settles it
        return None
    if not content_stems(ref.answer):  # a bare formula such as O(T·N²): compared as a formula
        wanted, given = formulas(ref.answer), formulas(answer)
        if wanted & given:
            return _Settled(10.0, [f"states the reference's formula {ref.answer.strip(' .')}"], ceiling=False)
        if wanted and given:
            stated = ", ".join(sorted(given))
            return _Settled(1.0, [f"states {stated}; the reference is {ref.answer.strip(' .')}"], ceiling=True)
        return None
    if covered >= COVERED:
        score = 8.0 + 2.0 * min(1.0, (covered - COVERED) / (1 - COVERED))
        return _Settled(
            score, [f"covers {covered:.0%} of the reference answer's key terms and contradicts none"], False
        )
    expected = expected_polarity(ref.question, ref.answer)
    if expected is not None and answer_polarity(ref.question, answer) == expected:
        said = "yes" if expected else "no"
        return _Settled(8.0, [f"answers {said!r} as the reference does and contradicts none of it"], ceiling=False)
    if covered < UNCOVERED and not (asks_for_value(ref.question) and extract_numbers(answer)):
        # (a value asked for but not computable here, such as d_head for new sizes, is left to the judge)
        reasons = [f"shares almost nothing with the reference answer ({covered:.0%} of its key terms)"]
        return _Settled(0.0, reasons, ceiling=True)
    return None


async def _grade_text(ref: Reference, answer: str, judge: JudgeCall | None, always_judge: bool) -> GradeResult:
    contradictions: list[Contradiction] = find_contradictions(
        answer, ref.question, reference_answer=ref.answer, context=list(ref.context), errata=list(ref.errata)
    )
    if ref.computed:
        contradictions += computed_claims(answer, ref.computed)
    covered = coverage(answer, ref.answer)
    settled = _settle(ref, answer, contradictions, covered)
    verdict: JudgeVerdict | None = None
    usage: list[Usage] = []
    if judge is not None and (settled is None or always_judge):
        try:
            question = CLAIM_QUESTION if ref.claim else ref.question
            verdict, call_usage = await run_judge(judge, question, ref.answer, ref.explanation, answer)
        except (GatewayError, ValidationError) as exc:  # a failed judge leaves the checks' verdict
            log.warning("grading judge failed: %s", exc)
        else:
            usage = [call_usage] if call_usage is not None else []
    judged = float(verdict.score) if verdict is not None else None
    judge_reasons = [r for r in verdict.reasons if _readable(r)] if verdict is not None else []
    extra = {"contradictions": [c.reason for c in contradictions], "judge_score": verdict.score if verdict else None}
    if settled is not None:
        score = settled.score
        reasons = list(settled.reasons)
        if judged is not None:
            score = min(judged, score) if settled.ceiling else max(judged, score)
            if verdict_for(judged) == verdict_for(score):
                reasons += judge_reasons[:1]
        return GradeResult(_grade(ref, score, reasons, "checks", **extra), usage)
    if judged is None:
        reasons = [f"covers {covered:.0%} of the reference answer; no model judged the rest"]
        return GradeResult(_grade(ref, PARTIAL_SCORE, reasons, "checks", **extra), usage)
    return GradeResult(_grade(ref, judged, judge_reasons or [verdict_for(judged)], "judge", **extra), usage)


def _readable(reason: str) -> bool:
    """A judge reason worth showing: a few words of prose, not digits or one word repeated."""
    words = re.findall(r"[A-Za-z]{2,}", reason)
    return len(words) >= 3 and len({w.lower() for w in words}) >= 3


__all__ = ["CONTRADICTION_CAP", "COVERED", "UNCOVERED", "GradeResult", "NoReference", "grade_answer"]
