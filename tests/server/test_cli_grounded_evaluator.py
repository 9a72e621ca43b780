"""`thinkroom ask --agent evaluator` grades against the course on either framework."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import run_cli

JUDGE = json.dumps({"score": 10, "verdict": "correct", "reasons": ["same facts as the reference"]})
TASK = "Is this right? RMSNorm subtracts the mean."


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps([{"pattern": "Grade a learner's answer", "response": JUDGE}]))
    return path


@pytest.mark.parametrize("framework", [[], ["--framework", "crewai"]])
def test_ask_the_evaluator_a_contradicting_claim(rules: Path, framework: list[str]) -> None:
    result = run_cli(
        "ask", TASK, "--agent", "evaluator", *framework,
        THINKROOM_BACKEND="scripted", THINKROOM_SCRIPTED_RULES=str(rules), timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[:2] == ["SCORE: 2", "REASONS:"] and lines[2].startswith("- contradicts the reference")
    assert "the mean is not subtracted" in " ".join(result.stdout.split())  # the console wraps long lines
    name = "crewai" if framework else "autogen"
    assert f"evaluator on {name}" in result.stderr and "stop: completed" in result.stderr
