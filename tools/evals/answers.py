"""Final-answer extraction and normalisation, shared by every strategy.

Votes and verifiers compare normalised strings, so '1,000', '1000.0' and '$1000' must be
one answer; extraction prefers the structured 'Answer:' line the prompts ask for and falls
back to weaker cues only when it is missing.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

_ANSWER_LINE = re.compile(r"^[ \t>*_#`-]*(?:final\s+)?answer\s*[*_]*\s*[:：]\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_ANSWER_IS = re.compile(r"answer\s+is\s*[:：]?\s*(.+?)(?:\.\s|\.?$|\n)", re.IGNORECASE)
_GSM_MARK = re.compile(r"^\s*####\s*(.+?)\s*$", re.MULTILINE)
_NUMBER = re.compile(r"[-+]?\$?\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+")
_PURE_NUMBER = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_JSON_OBJECT = re.compile(r"\{[^{}]*\"answer\"[^{}]*\}", re.IGNORECASE | re.DOTALL)
_WRAPPERS = "*_`\"' "
_CURRENCY = "$€£¥"


def canonical_number(text: str) -> str | None:
    """Exact decimal canonical form ('1,000.50' → '1000.5', '-0' → '0'), or None if not a number."""
    s = _THOUSANDS.sub("", text.strip().replace(" ", ""))
    sign = ""
    if s[:1] in "+-":
        sign, s = s[:1], s[1:]
    s = s.lstrip(_CURRENCY)
    if not _PURE_NUMBER.match(s):
        return None
    try:
        value = Decimal(sign + s)
    except InvalidOperation:
        return None
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def last_number(text: str) -> str | None:
    """The last number in free text, canonicalised (GSM8K-style fallback)."""
    found = _NUMBER.findall(text)
    return canonical_number(found[-1].replace("$", "")) if found else None


def normalize_answer(raw: str, *, numeric: bool = False) -> str:
    """Case, whitespace, markdown wrappers, trailing punctuation and number formats folded.

    With `numeric`, a non-numeric string is reduced to the number it states
    ('$18 per day' → '18'; after the last '=' if there is one: '16-3-4 = 9' → '9').
    """
    s = " ".join(str(raw).split()).strip(_WRAPPERS).lower()
    s = s.rstrip(".!?;:,").strip(_WRAPPERS)
    number = canonical_number(s)
    if number is not None:
        return number
    if numeric:
        tail = s.rsplit("=", 1)[-1]
        found = _NUMBER.findall(tail)
        if found:
            canon = canonical_number(found[0].replace("$", ""))
            if canon is not None:
                return canon
    return s


def _from_json(parsed: Any) -> str | None:
    if isinstance(parsed, dict):
        for key, value in parsed.items():
            if str(key).lower() == "answer" and value is not None:
                return str(value)
    return None


_PLACEHOLDER = re.compile(r"^\s*<[^<>]{1,40}>\s*$")


def extract_answer(text: str, *, numeric: bool = False, parsed: Any = None) -> str | None:
    """The model's final answer, raw (not normalised), or None if it gave none.

    A copied template placeholder such as "<answer>" is no answer at all.
    """
    found = _extract(text, numeric=numeric, parsed=parsed)
    return None if found is None or _PLACEHOLDER.match(found) else found


def _extract(text: str, *, numeric: bool = False, parsed: Any = None) -> str | None:
    """The extraction itself, in order of how explicit the model was.

    Order: JSON {"answer": ...} (from json_schema parsing or inline), the LAST 'Answer:' line,
    a GSM8K '#### x' line, the last 'answer is X', and for numeric tasks the last number.
    """
    from_json = _from_json(parsed)
    if from_json is not None:
        return from_json
    lines = _ANSWER_LINE.findall(text)
    if lines:
        return str(lines[-1]).strip(_WRAPPERS) or None
    marks = _GSM_MARK.findall(text)
    if marks:
        return str(marks[-1])
    for match in reversed(list(_JSON_OBJECT.finditer(text))):
        try:
            inline = _from_json(json.loads(match.group(0)))
        except json.JSONDecodeError:
            continue
        if inline is not None:
            return inline
    said = _ANSWER_IS.findall(text)
    if said:
        return str(said[-1]).strip(_WRAPPERS)
    if numeric:
        return last_number(text)
    return None


ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"reasoning": {"type": "string"}, "answer": {"type": "string"}},
    "required": ["answer"],
}

__all__ = ["ANSWER_SCHEMA", "canonical_number", "extract_answer", "last_number", "normalize_answer"]
