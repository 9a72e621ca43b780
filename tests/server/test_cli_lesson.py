"""`thinkroom run lesson` as a learner uses it: the lesson is printed before the quiz pauses the run."""

from __future__ import annotations

import json
from pathlib import Path

from .helpers import run_cli


def test_the_lesson_prints_its_explanation_then_pauses_for_the_quiz(tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([]))  # a base model (no tool calling): the lesson needs no model call
    result = run_cli(
        "run",
        "lesson",
        "--input",
        '{"concept": "top_p"}',
        THINKROOM_BACKEND="scripted",
        THINKROOM_SCRIPTED_RULES=str(rules),
        THINKROOM_DATABASE_URL=f"sqlite:///{tmp_path}/t.db",
        THINKROOM_CHECKPOINT_PATH=str(tmp_path / "c.db"),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    text = " ".join(result.stdout.split())
    assert text.startswith("explanation:") and "cumulative probability is at least p" in text
    assert "paused for input" in result.stderr and "top_p = 0.7" in " ".join(result.stderr.split())
