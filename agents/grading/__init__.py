"""Grounded grading: an answer is checked against the concept lab before any model judges it.

`reference` finds the concept, its quiz answer and its computation; `tools.grading` compares
numbers, sets and phrases deterministically; `judge` asks the model for a constrained verdict
on free text; `grader` combines them so a verifiable verdict always wins.
"""

from .grader import CONTRADICTION_CAP, GradeResult, NoReference, grade_answer
from .judge import JUDGE_SCHEMA, JudgeCall, JudgeVerdict, gateway_judge, judge_messages
from .reference import Reference, find_reference
from .types import Grade, GradeMethod, Verdict

__all__ = [
    "CONTRADICTION_CAP",
    "JUDGE_SCHEMA",
    "Grade",
    "GradeMethod",
    "GradeResult",
    "JudgeCall",
    "JudgeVerdict",
    "NoReference",
    "Reference",
    "Verdict",
    "find_reference",
    "gateway_judge",
    "grade_answer",
    "judge_messages",
]
