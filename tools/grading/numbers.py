"""Numbers in free text, and whether a learner's numbers agree with the reference's.

A learner writes "≈ 0.33", "1/2", "30%", "618 million" or "three"; the reference writes
"≈ 0.332 (not 0.669 ...)". Extraction turns all of these into values with the precision
the writer used, so 0.33 matches 0.332 but 0.669 does not, and numbers that are only
names ("GPT-3", "d_k", "pass@1") or function arguments ("ln 4", "sin(1)") are not values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .text import normalize

#: Relative tolerance for any match, and the most a learner's rounding may add on top.
REL_TOL = 0.01
ABS_TOL = 1e-6
MAX_ROUNDING = 0.10

WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "half": 0.5,
}  # fmt: skip
_SCALES = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9, "%": 0.01,
}  # fmt: skip
_FUNCTIONS = ("ln", "log", "exp", "sqrt")
_NUMBER = re.compile(
    r"(?P<sign>(?<![\w)\]])-(?=\d))?"
    r"(?P<int>\d{1,3}(?:,\d{3})+(?![\d,])|\d+)(?P<frac>\.\d+)?(?:e(?P<exp>[-+]?\d+)(?![\w]))?"
    r"(?:\s*/\s*(?P<den>\d+(?:\.\d+)?)(?![\d(/]))?"
    r"(?:\s?(?P<scale>%|k\b|M\b|B\b|bn\b|thousand\b|million\b|billion\b))?",
)
_WORD_NUMBER = re.compile(r"\b(" + "|".join(WORD_NUMBERS) + r")\b", re.IGNORECASE)
_NOT_BEFORE = re.compile(r"(?:\bnot|\binstead of|\brather than|\bisn't|\bnever)\s*(?:\(\s*)?(?:equal to\s+|~\s*)?$")


@dataclass(frozen=True)
class Number:
    """A value found in text, with the half-unit of its last written digit (its rounding)."""

    value: float
    text: str
    start: int
    end: int
    rounding: float
    negated: bool = False


def _not_a_value(text: str, start: int, end: int) -> bool:
    """Digits that are part of a name (GPT-3, d_k2, 4d, pass@1), an exponent (N^2), or a function's
    argument (ln 4, sin(1), C(3,2)): not a value the writer states."""
    before = text[:start]
    after = text[end : end + 1]
    if after.isalpha() or after == "_" or before[-1:] in ("_", "@", "^") or before[-1:].isalpha():
        return True
    if re.search(r"[A-Za-z_]-$", before):  # GPT-3, top-2
        return True
    if re.search(r"[A-Za-z\u0370-\u03ff]\($", before):  # sin(1), Phi(1), C(3,2)
        return True
    return bool(re.search(r"\b(?:" + "|".join(_FUNCTIONS) + r")\s*\(?\s*$", before))


def extract_numbers(text: str, *, words: bool = True) -> list[Number]:
    """Every value in `text` in order: decimals, fractions, percentages, 1.2M, 12,288 and (optionally)
    number words; values under "not"/"instead of" are marked negated."""
    text = normalize(text)
    found: list[Number] = []
    for match in _NUMBER.finditer(text):
        start, end = match.start(), match.end()
        if _not_a_value(text, start, match.end("int") if not (match.group("frac") or match.group("den")) else end):
            continue
        value = float(match.group("int").replace(",", "") + (match.group("frac") or ""))
        if match.group("exp"):
            value *= 10.0 ** int(match.group("exp"))
        den = match.group("den")
        if den is not None:
            if float(den) == 0:
                continue
            value /= float(den)
        scale = _SCALES.get((match.group("scale") or "").lower(), 1.0)
        value *= scale
        if match.group("sign"):
            value = -value
        decimals = len(match.group("frac")) - 1 if match.group("frac") else 0
        rounding = 0.0 if den is not None else 0.5 * 10.0 ** (-decimals) * scale
        negated = bool(_NOT_BEFORE.search(text[max(0, start - 24) : start]))
        found.append(Number(value, text[start:end].strip(), start, end, rounding, negated))
    if words:
        for match in _WORD_NUMBER.finditer(text):
            negated = bool(_NOT_BEFORE.search(text[max(0, match.start() - 24) : match.start()]))
            value = float(WORD_NUMBERS[match.group(1).lower()])
            found.append(Number(value, match.group(0), match.start(), match.end(), 0.0, negated))
        found.sort(key=lambda n: n.start)
    return found


def close(candidate: Number | float, target: float, *, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL) -> bool:
    """True when `candidate` equals `target` within tolerance, allowing for the candidate's own rounding
    (0.33 for 0.332) up to MAX_ROUNDING of the target."""
    value = candidate.value if isinstance(candidate, Number) else float(candidate)
    rounding = candidate.rounding if isinstance(candidate, Number) else 0.0
    allowed = max(abs_tol, rel_tol * abs(target), min(rounding, MAX_ROUNDING * abs(target)))
    return math.isfinite(value) and abs(value - target) <= allowed + 1e-12


_SEGMENT_CUT = re.compile(r";|,\s|\s(?:and|so|thus|hence|then|which)\s|\.\s|\.$")
_ASSIGN = re.compile(r"(?:=|~|\bis\b|\bare\b|\bequals\b|\bgives\b|\bget\b)\s*$")


def top_level_segments(text: str) -> list[tuple[str, int]]:
    """`text` cut at , ; and/so/which outside brackets, with each segment's offset; bracketed
    groups stay inside their segment."""
    segments: list[tuple[str, int]] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0:
            cut = _SEGMENT_CUT.match(text, i)
            if cut and cut.end() > i:
                segments.append((text[start:i], start))
                start = cut.end()
                i = cut.end()
                continue
        i += 1
    segments.append((text[start:], start))
    return [(s, o) for s, o in segments if s.strip()]


def _mask_brackets(segment: str) -> str:
    """Bracketed groups blanked out (same length), so "= 1.2 (the clipped ...)" reads as "= 1.2"."""
    out = []
    depth = 0
    for ch in segment:
        if ch in "([{":
            depth += 1
            out.append(" ")
        elif ch in ")]}":
            depth = max(0, depth - 1)
            out.append(" ")
        else:
            out.append(" " if depth else ch)
    return "".join(out)


def stated_results(text: str) -> list[Number]:
    """The values a text states as results: the end of each "... = ... ≈ value" chain, a tuple
    after "=" or "≈", and the value the text opens with ("64 (d_model / h)", "0.5: ...").
    Working numbers inside a chain and bracketed asides are not results."""
    text = normalize(text)
    results: list[Number] = []
    for index, (segment, offset) in enumerate(top_level_segments(text)):
        masked = _mask_brackets(segment)
        numbers = [n for n in extract_numbers(segment, words=False) if not n.negated]
        ends = [m.end() for m in re.finditer(r"=|~", masked)]
        if ends:
            tail = segment[ends[-1] :]
            tail_numbers = [n for n in numbers if n.start >= ends[-1]]
            if tail.strip().startswith("(") and tail_numbers:
                results.extend(_shift(tail_numbers, offset))  # a tuple: (-1.22, 0, 1.22)
            elif tail_numbers and _only_number(masked[ends[-1] :], tail_numbers[0], ends[-1]):
                results.append(_shift([tail_numbers[0]], offset)[0])
        elif index == 0 and numbers:
            first = numbers[0]
            opening = segment[: first.start].strip(" '\"(")
            if not opening and not re.match(r"\s*[-+*/x^]", segment[first.end :]):
                results.append(_shift([first], offset)[0])
    return _dedupe(results)


def _only_number(tail: str, number: Number, tail_offset: int) -> bool:
    """The text after the last = / ≈ is just this number (plus words or an aside), not an expression."""
    before = tail[: number.start - tail_offset].strip()
    after = tail[number.end - tail_offset :].strip()
    return before in ("", "-") and not re.match(r"[-+*/x^(]", after)


def _shift(numbers: list[Number], offset: int) -> list[Number]:
    return [Number(n.value, n.text, n.start + offset, n.end + offset, n.rounding, n.negated) for n in numbers]


def _dedupe(numbers: list[Number]) -> list[Number]:
    seen: set[tuple[int, int]] = set()
    kept = []
    for n in numbers:
        if (n.start, n.end) not in seen:
            seen.add((n.start, n.end))
            kept.append(n)
    return kept


def rejected_values(text: str) -> list[float]:
    """Values a reference explicitly rules out: "(not 0.669, which is sigmoid(+0.7))"."""
    return [n.value for n in extract_numbers(text, words=False) if n.negated]


@dataclass(frozen=True)
class NumericCheck:
    """How a learner's numbers compare with the expected values."""

    matched: list[float]
    missing: list[float]
    rejected_used: list[float]

    @property
    def fraction(self) -> float:
        total = len(self.matched) + len(self.missing)
        return len(self.matched) / total if total else 0.0

    @property
    def all_matched(self) -> bool:
        return not self.missing and bool(self.matched)


def check_numbers(answer: str, expected: list[float], rejected: list[float] | None = None) -> NumericCheck:
    """Which expected values the answer states (any of its un-negated numbers, within tolerance),
    and which ruled-out values it states."""
    numbers = [n for n in extract_numbers(answer) if not n.negated]
    matched = [t for t in expected if any(close(n, t) for n in numbers)]
    missing = [t for t in expected if t not in matched]
    used = [r for r in (rejected or []) if any(close(n, r, rel_tol=0.002) for n in numbers)]
    used = [r for r in used if not any(math.isclose(r, t, rel_tol=REL_TOL) for t in expected)]
    return NumericCheck(matched=matched, missing=missing, rejected_used=used)


def claimed_value(text: str, name: Sequence[str]) -> Number | None:
    """The value the text gives for a quantity named by `name`'s words ("y ≈ 0.33" for ["y"],
    "the cross-entropy is 4 bits" for ["cross", "entropy", "bits"]): the end of the chain that
    follows the name within one segment, if it is a plain number."""
    text = normalize(text)
    wanted = [w.lower() for w in name if w]
    if not wanted:
        return None
    for segment, _ in top_level_segments(text):
        lowered = segment.lower()
        if len(wanted) == 1 and len(wanted[0]) == 1:
            anchor = re.search(rf"(?<![\w.]){re.escape(wanted[0])}\s*(?:=|~|\bis\b)", lowered)
        else:
            hits = [re.search(rf"\b{re.escape(w)}", lowered) for w in wanted]
            anchor = None if any(h is None for h in hits) else min(hits, key=lambda h: h.start())  # type: ignore[union-attr]
        if anchor is None:
            continue
        rest = segment[anchor.start() :]
        masked = _mask_brackets(rest)
        numbers = [n for n in extract_numbers(rest, words=False) if not n.negated]
        ends = [m.end() for m in re.finditer(r"=|~|\bis\b|\bare\b|\bequals\b|\bof\b", masked)]
        if not numbers or not ends:
            continue
        after = [n for n in numbers if n.start >= ends[-1]]
        if after and _only_number(masked[ends[-1] :], after[0], ends[-1]):
            return after[0]
    return None


__all__ = [
    "MAX_ROUNDING",
    "REL_TOL",
    "WORD_NUMBERS",
    "Number",
    "NumericCheck",
    "check_numbers",
    "claimed_value",
    "close",
    "extract_numbers",
    "rejected_values",
    "stated_results",
    "top_level_segments",
]
