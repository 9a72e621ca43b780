"""`thinkroom arena`, as a user runs it: a run with its table or JSON, the stored views, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from agents.evals.suites import gsm8k_items

from .helpers import run_cli

ITEMS = gsm8k_items()[:3]
AGENT = "prompt-engineer@autogen@scripted"


def env(tmp_path: Path, rules: list[dict[str, Any]] | None = None, name: str = "rules.json") -> dict[str, str]:
    path = tmp_path / name
    path.write_text(json.dumps(rules or []))
    return {
        "THINKROOM_BACKEND": "scripted",
        "THINKROOM_SCRIPTED_RULES": str(path),
        "THINKROOM_CHECKPOINT_PATH": str(tmp_path / "checkpoints.db"),
        "THINKROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'thinkroom.db'}",
    }


def rules() -> list[dict[str, Any]]:
    """The bare model states each item's number; the persona (its prompt names its role) always says 0."""
    found = []
    for item in ITEMS:
        question = re.escape(item.input[:60])
        found.append({"pattern": r"prompt engineer[\s\S]*" + question, "response": "I think.\nAnswer: 0"})
        found.append({"pattern": question, "response": f"Sure.\nAnswer: {item.data['number']}"})
    return found


def test_a_model_against_an_agent_on_gsm8k_and_every_view_of_it(tmp_path: Path) -> None:
    args = ["arena", "run", "--prompts", "gsm8k", "--limit", "3", "-c", "scripted", "-c", AGENT, "--run-id", "a1"]
    done = run_cli(*args, "--json", **env(tmp_path, rules()))
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert (body["arena_id"], body["source"], body["prompts"], body["pairs"], body["verified_pairs"]) == (
        "a1", "gsm8k", 3, 3, 3)
    assert [c["id"] for c in body["contestants"]] == ["scripted", AGENT]
    first, second = body["ratings"]["ratings"]
    assert (first["contestant"], first["wins"], second["losses"]) == ("scripted", 3, 3)
    assert first["low"] > second["high"]
    assert "arena id: a1" in done.stderr and "3/3" in done.stderr  # the progress bar went to stderr

    again = run_cli("arena", "run", "--resume", "a1", **env(tmp_path, [], "none.json"))  # no rules: no call made
    assert again.returncode == 0, again.stderr
    for expected in ("Bradley-Terry ratings (judge)", "scripted", "3 verified", "every outcome was the same"):
        assert expected in again.stdout, expected

    shown = run_cli("arena", "show", "a1", "--pairs", **env(tmp_path))
    assert shown.returncode == 0, shown.stderr
    assert "gsm8k/0:0" in shown.stdout and "gsm8k_exact" in shown.stdout and "status success" in shown.stdout
    listed = json.loads(run_cli("arena", "list", "--json", **env(tmp_path)).stdout)
    assert [a["arena_id"] for a in listed["arenas"]] == ["a1"] and listed["arenas"][0]["source"] == "cli"
    rated = json.loads(run_cli("arena", "ratings", "a1", "--json", **env(tmp_path)).stdout)
    assert (rated["judge"]["outcomes"], rated["human"]["outcomes"], rated["combined"]["outcomes"]) == (3, 0, 3)
    table = run_cli("arena", "export", "a1", "--format", "csv", **env(tmp_path)).stdout
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [r["judge_winner"] for r in rows] == ["scripted"] * 3
    plot = tmp_path / "ratings.svg"
    drawn = run_cli("arena", "plot", "a1", "-o", str(plot), "--source", "judge", **env(tmp_path))
    assert drawn.returncode == 0, drawn.stderr
    assert plot.read_text().lstrip().startswith("<?xml") and "scripted" in plot.read_text()


def test_bad_input_is_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    cases = [
        (["arena", "run", "--prompts", "gsm8k", "-c", "scripted"], 2, "at least two --contestant"),
        (["arena", "run", "-c", "a", "-c", "b"], 2, "give --prompts SUITE"),
        (["arena", "run", "--prompts", "nope", "-c", "a", "-c", "b"], 2, "unknown suite 'nope'"),
        (["arena", "run", "--prompts", "gsm8k", "-c", "scripted", "-c", "wizard@x"], 2, "not an agent"),
        (["arena", "run", "--prompts", "gsm8k", "--judge", "oracle", "-c", "scripted", "-c", AGENT], 2,
         "unknown persona 'oracle'"),
        (["arena", "run", "--prompts", "gsm8k", "-c", "scripted", "-c", "missing-model"], 1,
         "model_not_found: unknown model 'missing-model'"),
        (["arena", "show", "nope"], 1, "no arena 'nope'"),
        (["arena", "ratings", "nope", "--source", "people"], 2, "unknown source 'people'"),
    ]
    for args, code, message in cases:
        done = run_cli(*args, **env(tmp_path))
        assert done.returncode == code, (args, done.stderr)
        lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        assert len(lines) == 1 and message in lines[0], (args, done.stderr)
        assert "Traceback" not in done.stderr
    listed = json.loads(run_cli("arena", "list", "--json", **env(tmp_path)).stdout)
    assert listed["total"] == 1 and listed["arenas"][0]["status"] == "error"  # the unknown model's run
