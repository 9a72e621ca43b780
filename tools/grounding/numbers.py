"""Numbers in a question and in extracted arguments, to check that arguments come from the question."""

from __future__ import annotations

import math
import re
from typing import Any

#: "124,439,808" is one number; "3, 4, 5" is three. Also "1e-5", ".5", "-0.7", "12 288" is two.
#: A number glued to a unit or a name ("3.2M", "GPT-3") is none: its leading digits are not a value.
_NUMBER = re.compile(
    r"(?<![\w.^])(?<![A-Za-z]-)-?(?:\d{1,3}(?:,\d{3})+(?![\d.])|\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?(?![\w]|\.\d)"
)


#: A simple fraction such as "1/4" is one number (0.25), not two.
_FRACTION = re.compile(r"(?<![\w./])(\d+)\s*/\s*(\d+)(?![\w./])")


def numbers_in(text: str) -> list[float]:
    """Every number written in `text`, in order (thousands separators and simple fractions understood)."""
    found: list[tuple[int, float]] = []
    for match in _FRACTION.finditer(text):
        if int(match.group(2)) != 0:
            found.append((match.start(), int(match.group(1)) / int(match.group(2))))
    rest = _FRACTION.sub(lambda m: " " * len(m.group(0)), text)
    for match in _NUMBER.finditer(rest):
        found.append((match.start(), float(match.group(0).replace(",", ""))))
    return [value for _, value in sorted(found)]


def leaf_numbers(value: Any) -> list[float]:
    """Every number inside a JSON-like value (booleans are not numbers; numeric strings are)."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, str):  # a numeric string ("18") is a value read from the question too
        return numbers_in(value) if _NUMBER.fullmatch(value.strip()) else []
    if isinstance(value, dict):
        return [n for v in value.values() for n in leaf_numbers(v)]
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in leaf_numbers(v)]
    return []


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


#: A quoted number matches a verified one within this relative tolerance: prose rounds (0.242 for 0.24243).
ROUNDING_TOLERANCE = 0.005


def unsupported_numbers(text: str, verified: str) -> list[float]:
    """Numbers `text` quotes that `verified` does not hold, even rounded: claims nobody computed."""
    known = numbers_in(verified)
    return [n for n in numbers_in(text) if not any(abs(n - k) <= max(1e-9, ROUNDING_TOLERANCE * abs(k)) for k in known)]


def unused_numbers(arguments: dict[str, Any], question: str) -> list[float]:
    """Numbers the question wrote that the arguments do not use: a sign that values were misread."""
    used = leaf_numbers(arguments)
    return [n for n in numbers_in(question) if not any(_close(n, u) for u in used)]


def ungrounded_numbers(arguments: dict[str, Any], question: str) -> list[float]:
    """Numbers in `arguments` that the question never wrote: a model invented them."""
    allowed = numbers_in(question)
    return [n for n in leaf_numbers(arguments) if not any(_close(n, a) for a in allowed)]


__all__ = ["leaf_numbers", "numbers_in", "ungrounded_numbers", "unsupported_numbers", "unused_numbers"]
