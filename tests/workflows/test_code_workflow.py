"""The `code` workflow: the AutoGen coding team through LangGraph, on the scripted backend."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import run_workflow, scripted

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")

CODER_REPLY = "```python\ndef reverse(s):\n    return s[::-1]\n\nprint(reverse('hello'))\n```"


async def test_code_workflow_records_code_output_and_verdict(tmp_path: Path) -> None:
    gateway = scripted(
        [
            {"pattern": "strict evaluator", "response": "SCORE: 9\nREASONS:\n- reverses correctly\nAPPROVE"},
            {"pattern": "Python developer", "response": CODER_REPLY},
        ]
    )
    values, events, _ = await run_workflow(
        "code", {"task": "Reverse a string", "max_messages": 8}, gateway, tmp_path / "c.db"
    )
    assert "s[::-1]" in values["final_code"]
    assert "olleh" in values["test_output"]
    assert values["verdict"] == "approved" and values["exit_code"] == 0
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "node.start" and kinds[-1] == "node.end"
    assert "execution" in kinds
    assert events[-1]["data"]["usage"]["calls"] >= 2
