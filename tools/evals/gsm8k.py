"""GSM8K scoring: exact match on the final number (the dataset's '#### n' against the model's last answer)."""

from __future__ import annotations

import re

from .answers import extract_answer, normalize_answer

_MARK = re.compile(r"####\s*(.+)")


def gsm8k_reference(solution: str) -> str:
    """The canonical number after GSM8K's '#### ' marker."""
    marks = _MARK.findall(solution)
    if not marks:
        raise ValueError("GSM8K solution has no '#### answer' line")
    return normalize_answer(marks[-1], numeric=True)


def gsm8k_correct(answer: str | None, reference: str) -> bool:
    """Whether an extracted answer states the reference number ('1,200.0' equals '1200')."""
    if answer is None:
        return False
    return normalize_answer(answer, numeric=True) == normalize_answer(reference, numeric=True)


def final_number(text: str) -> str | None:
    """The number a free-text reply ends on: its 'Answer:' line, a '#### n' line, 'the answer is n', else
    its last number; canonical ('$1,000.00' -> '1000'), or None when it states none."""
    found = extract_answer(text, numeric=True)
    return None if found is None else normalize_answer(found, numeric=True)


__all__ = ["final_number", "gsm8k_correct", "gsm8k_reference"]
