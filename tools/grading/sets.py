"""Set answers ("which tokens are kept?"): which items of a known universe an answer names.

The universe comes from the question (the tokens and their probabilities); an answer may
name items ("apple and banana"), give their values ("0.4 and 0.3") or a rank ("the top
two"). Items it mentions only to exclude ("but not cherry") do not count. Grading is exact
set equality: one token too many or too few is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .numbers import WORD_NUMBERS, close, extract_numbers
from .text import clauses, normalize

_RANK = re.compile(
    r"\b(?:top|first|highest|largest|best|most (?:probable|likely))\s+(\d+|"
    + "|".join(k for k in WORD_NUMBERS if k != "half")
    + r")\b|\b(\d+|"
    + "|".join(k for k in WORD_NUMBERS if k != "half")
    + r")\s+(?:most (?:probable|likely)|highest|largest)\b",
    re.IGNORECASE,
)
_EXCLUDING = re.compile(r"\b(?:except|excluding|drops?|dropped|removes?|removed|discards?|discarded|cut)\b", re.I)


def _item_pattern(item: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.])" + re.escape(item.lower()) + r"(?![\w]|\.\d)")


def mentioned_items(answer: str, universe: Mapping[str, float]) -> set[str]:
    """The items of `universe` (name -> value) the answer keeps: named, given by value when the
    names are the values themselves, or by rank ("the top two"); items in negated or excluding
    clauses ("not cherry", "drops date") are left out."""
    kept: set[str] = set()
    ranked = sorted(universe, key=lambda k: (-universe[k], k))
    numeric_names = all(_as_float(name) is not None for name in universe)
    for clause in clauses(answer):
        if clause.negated or _EXCLUDING.search(clause.text):
            continue
        text = normalize(clause.text).lower()
        for item in universe:
            if not numeric_names and _item_pattern(item).search(text):
                kept.add(item)
        if numeric_names:
            for number in extract_numbers(clause.text, words=False):
                for item in universe:
                    if not number.negated and close(number, universe[item], rel_tol=1e-6, abs_tol=1e-9):
                        kept.add(item)
        for match in _RANK.finditer(text):
            count_text = match.group(1) or match.group(2)
            count = int(count_text) if count_text.isdigit() else int(WORD_NUMBERS[count_text])
            kept.update(ranked[:count])
    return kept


def _as_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class SetCheck:
    """An answer's items against the expected set."""

    found: frozenset[str]
    expected: frozenset[str]

    @property
    def missing(self) -> list[str]:
        return sorted(self.expected - self.found)

    @property
    def extra(self) -> list[str]:
        return sorted(self.found - self.expected)

    @property
    def equal(self) -> bool:
        return self.found == self.expected


def check_set(answer: str, universe: Mapping[str, float], expected: set[str] | frozenset[str]) -> SetCheck:
    """Exact comparison of the items the answer keeps with the expected items."""
    return SetCheck(found=frozenset(mentioned_items(answer, universe)), expected=frozenset(expected))


__all__ = ["SetCheck", "check_set", "mentioned_items"]
