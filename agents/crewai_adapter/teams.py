"""The CrewAI teams: the two-phase lesson crew and the prompt-lab crew."""

from __future__ import annotations

from .lesson import (
    GradeItem,
    LessonDraft,
    LessonGrades,
    LessonResult,
    QuizQuestion,
    WorkedExample,
    lesson_explain,
    lesson_grade,
    run_lesson_crew,
)
from .prompt_lab import PromptLabResult, TrickApplied, Verdict, run_prompt_lab

__all__ = [
    "GradeItem",
    "LessonDraft",
    "LessonGrades",
    "LessonResult",
    "PromptLabResult",
    "QuizQuestion",
    "TrickApplied",
    "Verdict",
    "WorkedExample",
    "lesson_explain",
    "lesson_grade",
    "run_lesson_crew",
    "run_prompt_lab",
]
