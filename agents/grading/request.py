"""Read "what to grade" out of an evaluator task written in plain words.

The persona's one-shot shows "Grade this answer to 'QUESTION': ANSWER"; people also write
"Question: ... Answer: ...", "Is 'ANSWER' correct for 'QUESTION'?", or just "Is this right?
CLAIM". A task that is none of these (a code review, "grade this essay") is not a
grading request the course can check, and gets None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .reference import Reference, find_reference

#: How agents.runner wraps a turn that has history; the last message is what to grade.
_LAST_MESSAGE = re.compile(r"Reply to the user's last message:\s*(?P<task>.*)\Z", re.DOTALL)
#: A quoted text; {1} is what must follow the closing quote, so "RoPE's" inside '...' does not end it.
_QUOTED = r"(?:'(?P<{0}1>.+?)'|\"(?P<{0}2>.+?)\"|“(?P<{0}3>.+?)”|‘(?P<{0}4>.+?)’)(?={1})"
_VERB = r"(?:grade|score|evaluate|assess|check|mark)"
_QUESTION_THEN_ANSWER = _QUOTED.format("q", r"\s*[:?.\n-]")
_ANSWER_THEN_VERDICT = _QUOTED.format("a", r"\s+(?:a\s+)?(?:correct|right|true|good)")
_QUESTION_AT_END = _QUOTED.format("q", r"\s*\??\s*$")
_PATTERNS = [
    # Grade this answer to 'QUESTION': ANSWER
    re.compile(
        rf"^\s*{_VERB}\b[^:'\"“‘]*?\b(?:to|for|on)\s+{_QUESTION_THEN_ANSWER}\s*[:?.-]?\s*(?P<a>.+)$",
        re.IGNORECASE | re.DOTALL,
    ),
    # Question: ... Answer: ...   (optionally after "Grade this:")
    re.compile(
        r"(?:^|\n|:)\s*(?:Q|Question)\s*[:.-]\s*(?P<q>.+?)\s*(?:\n|\s)\s*"
        r"(?:A|Answer|My answer|Learner's answer)\s*[:.-]\s*(?P<a>.+)$",
        re.IGNORECASE | re.DOTALL,
    ),
    # Is 'ANSWER' (a) correct (answer) to 'QUESTION'?
    re.compile(
        rf"^\s*is\s+{_ANSWER_THEN_VERDICT}\s+(?:a\s+)?(?:correct|right|true|good)\s+(?:answer\s+)?(?:to|for)\s+"
        rf"{_QUESTION_AT_END}\s*\??\s*$",
        re.IGNORECASE | re.DOTALL,
    ),
    # Grade this answer to QUESTION? ANSWER
    re.compile(rf"^\s*{_VERB}\b.*?\b(?:to|for)\s+(?P<q>[^?]{{8,}}\?)\s*(?P<a>.+)$", re.IGNORECASE | re.DOTALL),
]
#: "Is this right? CLAIM", "Is it true that CLAIM?", "Grade this answer: CLAIM" - a claim without its question.
_CLAIM_PATTERNS = [
    re.compile(
        r"^\s*(?:is|was)\s+(?:this|that|it|the following)\s+(?:right|correct|true)\s*[?:.]\s*(?P<a>.+)$", re.I | re.S
    ),
    re.compile(r"^\s*(?:is|was)\s+it\s+(?:true|right|correct)\s+that\s+(?P<a>.+?)\??\s*$", re.I | re.S),
    re.compile(r"^\s*(?:am\s+i\s+right|true\s+or\s+false)\s*[?:.]\s*(?P<a>.+)$", re.I | re.S),
    re.compile(rf"^\s*{_VERB}(?:\s+(?:this|my|the))?(?:\s+answer)?\s*:\s*(?P<a>.+)$", re.I | re.S),
]


@dataclass(frozen=True)
class GradingRequest:
    """The answer to grade and, when the task gives it, the question it answers."""

    question: str
    answer: str


def _group(match: re.Match[str], name: str) -> str:
    """A named group, or the first of its quoted alternatives (name1..name4) that matched."""
    if name in match.groupdict() and match.group(name) is not None:
        return match.group(name).strip()
    for i in range(1, 5):
        value = match.groupdict().get(f"{name}{i}")
        if value is not None:
            return value.strip()
    return ""


def _clean(answer: str) -> str:
    answer = answer.strip()
    if len(answer) >= 2 and answer[0] == answer[-1] and answer[0] in "'\"":
        answer = answer[1:-1].strip()
    return answer.strip("“”‘’").strip()


def parse_grading_task(task: str) -> GradingRequest | None:
    """The question and answer in an evaluator task; None when the task is not a grading request."""
    last = _LAST_MESSAGE.search(task)
    text = (last.group("task") if last else task).strip()
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if match is not None:
            question, answer = _group(match, "q"), _clean(_group(match, "a"))
            if question and answer:
                return GradingRequest(question=question, answer=answer)
    for pattern in _CLAIM_PATTERNS:
        match = pattern.search(text)
        if match is not None and match.group("a").strip():
            return GradingRequest(question="", answer=_clean(match.group("a")))
    return None


def resolve_grading_task(task: str) -> tuple[GradingRequest, Reference] | None:
    """The grading request in `task` and its reference; None unless the course can check it."""
    request = parse_grading_task(task)
    if request is None:
        return None
    reference = find_reference(request.question, answer=request.answer)
    return None if reference is None else (request, reference)


__all__ = ["GradingRequest", "parse_grading_task", "resolve_grading_task"]
