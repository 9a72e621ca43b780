"""Whether a reply states the expected facts in its direct answer (bench/tutor.py and the tests grade with it)."""

from __future__ import annotations

import math
import re
from typing import Any

from tools.grounding import is_scaffolding, numbers_in, scaffolding_markers


def direct_answer(reply: str) -> str:
    """The reply's first paragraph: what a learner reads first, and what is graded."""
    return reply.strip().split("\n\n", 1)[0]


def _has_number(target: float, found: list[float]) -> bool:
    return any(math.isclose(target, n, rel_tol=2e-3, abs_tol=1e-3) for n in found)


def check_reply(reply: str, expect: dict[str, Any]) -> tuple[bool, str]:
    """(right, why not): numbers, required phrases, alternatives and forbidden words, in the direct answer."""
    if is_scaffolding(reply):
        return False, f"scaffolding: {scaffolding_markers(reply) or 'empty'}"
    head = direct_answer(reply)
    lowered = head.lower()
    found = numbers_in(head)
    missing = [n for n in expect.get("numbers", []) if not _has_number(float(n), found)]
    if missing:
        return False, f"missing numbers {missing}"
    absent = [p for p in expect.get("all", []) if p.lower() not in lowered]
    if absent:
        return False, f"missing {absent}"
    options = expect.get("any", [])
    if options and not any(p.lower() in lowered for p in options):
        return False, f"none of {options}"
    forbidden = [w for w in expect.get("none_words", []) if re.search(rf"(?<![\w']){re.escape(w)}(?![\w'])", head)]
    if forbidden:
        return False, f"should not contain {forbidden}"
    return True, ""


__all__ = ["check_reply", "direct_answer"]
