"""Helpers for AutoGen adapter tests: scripted gateways, canned coder/evaluator replies, bwrap check."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from agents.llm import Gateway
from agents.llm.backends.scripted import ScriptedBackend

needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed; `make test` installs it"
)

#: Patterns that match each persona's system prompt (rules see system + user text).
CODER_PROMPT = "You are the Python developer"
EVALUATOR_PROMPT = "You are the strict evaluator"

REVERSE_CODE = (
    "Here is the solution:\n```python\ndef reverse(s: str) -> str:\n    return s[::-1]\n\n"
    "print(reverse('hello'))\n```\n"
)
BROKEN_CODE = "```python\ndef reverse(s):\n    return s.reverse()\n\nprint(reverse('hello'))\n```"
APPROVING_REVIEW = "SCORE: 9\nREASONS:\n- reverse('hello') printed olleh\n- short and correct\nAPPROVE"
REJECTING_REVIEW = "SCORE: 4\nREASONS:\n- no edge cases tested\nNOT APPROVED yet: add a test for the empty string."


def scripted_gateway(rules: list[dict[str, Any]], *, capabilities: list[str] | None = None) -> Gateway:
    return Gateway(ScriptedBackend(rules, capabilities=capabilities))
