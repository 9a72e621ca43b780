"""Recognise a model reply that echoes its prompt's scaffolding instead of answering.

A small base model given a ReAct or task template often copies the template back
("Thought:", "Final Answer:", "your job depends on it"). Such text is never shown to a
learner: the grounded answer is shown instead.
"""

from __future__ import annotations

import re

#: Phrases of the ReAct / CrewAI / AutoGen / thinkroom prompt templates, never part of a real answer.
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE | re.MULTILINE))
    for name, pattern in (
        ("react-label", r"^\s*(?:Thought|Action|Action Input|Observation|Final Answer)\s*:"),
        ("job-depends", r"your job depends on it"),
        ("this-is-your-job", r"this is your job"),
        ("final-answer-to-task", r"the final answer to the task"),
        ("correct-answer-placeholder", r"the correct answer to the task"),
        ("answer-the-task", r"answer the task in your own words"),
        ("expected-criteria", r"expected criteria|expected_output|your final answer must"),
        ("current-task", r"^\s*current task\s*:"),
        ("begin", r"^\s*begin!"),
        ("tools-list", r"you only have access to the following tools|^\s*tool (?:name|arguments|description)\s*:"),
        ("great-answer", r"i now can give a great answer"),
        ("use-the-tools", r"use the tools available"),
        ("placeholder", r"<(?:answer|your answer|final answer|sentence)>"),
        ("role-line", r"^\s*(?:system|user|assistant)\s*:"),
        ("grounding-template", r"^\s*(?:facts|context|question|instruction)s?\s*:"),
    )
)


def scaffolding_markers(text: str) -> list[str]:
    """Names of the template fragments found in `text` (empty when it reads as a real answer)."""
    return [name for name, pattern in _MARKERS if pattern.search(text)]


def is_scaffolding(text: str) -> bool:
    """True when `text` echoes prompt scaffolding (or is empty), so it must not be shown."""
    return not text.strip() or bool(scaffolding_markers(text))


__all__ = ["is_scaffolding", "scaffolding_markers"]
