"""Read structure out of free model text, with deterministic fallbacks for weak models.

A 270M model rarely follows an output format, so every parser here returns None (or an
empty result) instead of guessing, and callers fall back to something computed. Scores
are read by the one evaluator-score parser, tools.grading.score.
"""

from __future__ import annotations

import re

from agents.personas import PROMPT_TRICKS
from tools.grading.score import DEFAULT_SCALE, parse_score

_WORD = re.compile(r"[a-z0-9]+")
_FILLER = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was were with "
    "which we you your can will not no yes so if then than into their there these those".split()
)

#: The seven canonical trick names, in the course's order.
TRICK_NAMES: tuple[str, ...] = tuple(t.split(" (", 1)[0] for t in PROMPT_TRICKS)
TRICK_HINTS: dict[str, str] = {t.split(" (", 1)[0]: t.split(" (", 1)[1].rstrip(")") for t in PROMPT_TRICKS}


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in _FILLER}


def overlap_score(answer: str, reference: str) -> float:
    """Share of the reference's content words that the answer contains (0..1).

    Deterministic fallback grade when the model's verdict cannot be parsed.
    """
    wanted = content_words(reference)
    if not wanted:
        return 0.0
    return round(len(wanted & content_words(answer)) / len(wanted), 3)


def _trick_pattern(name: str) -> re.Pattern[str]:
    words = re.split(r"[\s-]+", name)
    return re.compile(r"\b" + r"[\s-]*".join(re.escape(w) for w in words) + r"s?\b", re.IGNORECASE)


_TRICK_PATTERNS = {name: _trick_pattern(name) for name in TRICK_NAMES}


def parse_tricks(text: str) -> list[dict[str, str]]:
    """The canonical tricks named in `text`, each with the model's reason (its line) if any.

    Only the part after a "TRICKS" heading is searched when there is one, because the
    rewritten prompt itself may say e.g. "step by step" or "examples".
    """
    heading = re.search(r"TRICKS?\s*(APPLIED)?\s*:", text, re.IGNORECASE)
    section = text[heading.end() :] if heading else text
    found: list[tuple[int, dict[str, str]]] = []
    for name, pattern in _TRICK_PATTERNS.items():
        match = pattern.search(section)
        if match is None:
            continue
        line_start = section.rfind("\n", 0, match.start()) + 1
        line_end = section.find("\n", match.end())
        line = section[line_start : line_end if line_end >= 0 else len(section)]
        why = re.split(r"[:\u2013\u2014]|\s-\s", line[match.end() - line_start :], maxsplit=1)
        reason = why[-1].strip(" .-*") if len(why) > 1 else line.strip(" -*")
        found.append((match.start(), {"trick": name, "why": reason or TRICK_HINTS[name]}))
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


def parse_rewritten_prompt(text: str) -> str | None:
    """The prompt between "REWRITTEN PROMPT:" and "TRICKS", else the text before "TRICKS"."""
    start = re.search(r"REWRITTEN\s+PROMPT\s*:", text, re.IGNORECASE)
    body = text[start.end() :] if start else text
    end = re.search(r"\n\s*\**\s*TRICKS?\s*(APPLIED)?\s*:", body, re.IGNORECASE)
    if end is not None:
        body = body[: end.start()]
    elif start is None:
        return None
    body = body.strip().strip("`").strip()
    return body or None


def plausible_question(text: str) -> bool:
    """False for template echoes ("<question>, Q2: ...") that small models copy from the prompt."""
    return (
        bool(text.strip())
        and not re.search(r"<[^>]{1,30}>", text)
        and not re.search(r"\bQ\d+\s*:", text)
    )


def parse_questions(text: str) -> dict[int, str]:
    """Numbered, plausible quiz questions ("Q1: ...") in the model's text."""
    questions: dict[int, str] = {}
    for match in re.finditer(r"^\W*Q(?:uestion)?\s*(\d+)\s*[:.)]\**\s*(.+)$", text, re.IGNORECASE | re.MULTILINE):
        question = match.group(2).strip()
        if plausible_question(question):
            questions.setdefault(int(match.group(1)), question)
    return questions


def parse_pair_scores(text: str) -> tuple[float | None, float | None, str | None]:
    """("SCORE A", "SCORE B" as fractions of 10, "BETTER: A|B|TIE") from an evaluator's comparison."""
    a, b = (parse_score(text, label=label) for label in ("A", "B"))
    better = re.search(r"BETTER\s*:?\s*\**\s*(A|B|TIE)\b", text, re.IGNORECASE)
    return (
        None if a is None else round(a / DEFAULT_SCALE, 3),
        None if b is None else round(b / DEFAULT_SCALE, 3),
        better.group(1).upper() if better else None,
    )


__all__ = [
    "TRICK_HINTS",
    "TRICK_NAMES",
    "content_words",
    "overlap_score",
    "parse_pair_scores",
    "parse_questions",
    "parse_rewritten_prompt",
    "parse_tricks",
]
