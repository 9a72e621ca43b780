"""The labelled answer sets and the agreement measure, shared by the bench and the tests.

calibration.jsonl (78 answers, 28 concepts) was written before the checks, which were then
tuned on it, so its agreement is in-sample. holdout.jsonl (36 answers) was written after and
run once untouched: 72% agreement on Gemma 3 270M. Its failures showed general gaps (quiz
questions with other values, formulas, swapped names and roles, order words), which were then
fixed, so later holdout figures are no longer blind either.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Literal

from pydantic import BaseModel

from .types import Grade

#: A "correct" item agrees at this score or above; an "incorrect" one at AGREE_INCORRECT or below
#: (or with an incorrect verdict).
AGREE_CORRECT = 7.0
AGREE_INCORRECT = 4.0


class CalibrationItem(BaseModel):
    """A learner's answer with a human label; the reference comes from the concept lab, not from here."""

    question: str
    concept: str
    answer: str
    label: Literal["correct", "incorrect"]


def load_calibration(name: str = "calibration") -> list[CalibrationItem]:
    """A shipped labelled set: "calibration" (agents/grading/data/calibration.jsonl, the checks were tuned
    on it) or "holdout" (written afterwards and not tuned on, to measure how the grader generalises)."""
    text = resources.files("agents.grading").joinpath(f"data/{name}.jsonl").read_text(encoding="utf-8")
    return [CalibrationItem.model_validate(json.loads(line)) for line in text.splitlines() if line.strip()]


def agrees(item: CalibrationItem, grade: Grade) -> bool:
    """Whether the grade matches the label: >= 7 on correct items, <= 4 or verdict incorrect on incorrect ones."""
    if item.label == "correct":
        return grade.score >= AGREE_CORRECT
    return grade.score <= AGREE_INCORRECT or grade.verdict == "incorrect"


__all__ = ["AGREE_CORRECT", "AGREE_INCORRECT", "CalibrationItem", "agrees", "load_calibration"]
