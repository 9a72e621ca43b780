"""`thinkroom eval run`, as a user runs it: reference runs, an arena, resumable run ids, one-line errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from agents import sandbox
from agents.evals.suites import SUITE_NAMES, gsm8k_items
from server.cli.evals import SUITES

from .helpers import run_cli

needs_bwrap = pytest.mark.skipif(sandbox.find_bwrap() is None, reason="bubblewrap (bwrap) is not installed")


def env(tmp_path: Path, rules: list[dict[str, Any]] | None = None, name: str = "rules.json") -> dict[str, str]:
    """The scripted backend with these rules (none: any model call fails) and a checkpoint file of the test's."""
    path = tmp_path / name
    path.write_text(json.dumps(rules or []))
    return {
        "THINKROOM_BACKEND": "scripted",
        "THINKROOM_SCRIPTED_RULES": str(path),
        "THINKROOM_CHECKPOINT_PATH": str(tmp_path / "checkpoints.db"),
        "THINKROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'thinkroom.db'}",
    }


def test_the_cli_lists_every_packaged_suite() -> None:
    assert set(SUITES) | {"jsonl"} == set(SUITE_NAMES)


def test_game24_reference_json(tmp_path: Path) -> None:
    done = run_cli("eval", "run", "game24", "--reference", "--json", **env(tmp_path))
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert (body["suite"], body["items"]) == ("game24", 100)
    assert body["columns"] == [{"id": "reference", "accuracy": 1.0, "correct": 100, "items": 100,
                                "wilson95": [pytest.approx(0.9630065), 1.0], "errors": 0}]
    assert "run id:" in done.stderr and "100/100" in done.stderr  # the progress bar went to stderr


@needs_bwrap
def test_humaneval_reference_gives_pass_at_1_of_one_over_164_through_the_sandbox(tmp_path: Path) -> None:
    done = run_cli("eval", "run", "humaneval", "--reference", "--workers", "2", "--json", **env(tmp_path))
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    (column,) = body["columns"]
    assert body["items"] == 164 and column["pass@1"] == 1.0 and column["correct"] == 164


def test_an_arena_prints_its_tables_and_a_finished_run_id_prints_them_again(tmp_path: Path) -> None:
    items = gsm8k_items()[:3]
    rules = [{"pattern": re.escape(i.input[:50]) + ".*think step", "response": f"Answer: {i.data['number']}"}
             for i in items] + [{"pattern": "final answer only", "response": "Answer: 1"}]
    args = ["eval", "run", "gsm8k", "--strategy", "direct", "--strategy", "cot", "--limit", "3", "--run-id", "r1"]
    first = run_cli(*args, **env(tmp_path, rules))
    assert first.returncode == 0, first.stderr
    for expected in ("gsm8k: 3 of 3 items", "direct@scripted", "cot@scripted", "0.000", "1.000", "per item: tokens",
                     "paired exact McNemar tests", "0.25"):  # cot 3/3 vs direct 0/3: p = 2 / 2^3
        assert expected in first.stdout, expected
    again = run_cli(*args, "--json", **env(tmp_path, [], "none.json"))  # no rules: any model call would fail
    assert again.returncode == 0, again.stderr
    accuracy = {c["id"]: c["accuracy"] for c in json.loads(again.stdout)["columns"]}
    assert accuracy == {"direct@scripted": 0.0, "cot@scripted": 1.0}
    other = run_cli(*args[:-2], "--run-id", "r1", "--limit", "2", **env(tmp_path, rules))
    assert other.returncode == 2 and "exists with another suite or flags" in other.stderr


def test_run_eval_is_an_ordinary_workflow_run(tmp_path: Path) -> None:
    done = run_cli("run", "eval", "--input", '{"suite": "game24", "reference": true, "limit": 2}', "--json",
                   "--run-id", "plain", **env(tmp_path))
    assert done.returncode == 0, done.stderr
    state = json.loads(done.stdout)["state"]
    assert state["answer"].startswith("game24, 2 items: reference 2/2") and state["result"]["total_items"] == 2


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["mmlu"], "unknown suite 'mmlu'; choose one of humaneval, gsm8k, game24, quiz or a .jsonl file"),
        (["gsm8k", "--strategy", "beam"], "unknown strategy 'beam'"),
        (["gsm8k"], "choose at least one column"),
        (["humaneval", "--strategy", "cot"], "code items take direct, code_tree or an agent"),
        (["gsm8k", "--agent", "nobody"], "unknown agent 'nobody'"),
        (["--resume", "nosuch"], "no eval run 'nosuch'"),
        (["gsm8k", "--resume", "x"], "--resume continues a run as it was started"),
        ([], "give a SUITE"),
        (["missing.jsonl", "--reference"], "cannot read suite missing.jsonl"),
        (["gsm8k", "--reference", "--limit", "0"], "--limit"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    done = run_cli("eval", "run", *args, **env(tmp_path))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert words in done.stderr and "Traceback" not in done.stderr
    assert len([ln for ln in done.stderr.splitlines() if ln.startswith("error:")]) == 1


def test_bad_jsonl_lines_are_named(tmp_path: Path) -> None:
    suite = tmp_path / "mine.jsonl"
    suite.write_text('{"input": "2+2?", "answer": 4}\nnot json\n{"input": "x"}\n')
    done = run_cli("eval", "run", str(suite), "--reference", **env(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "line 2: not valid JSON" in done.stderr and "line 3: a question item needs 'answer'" in done.stderr


def test_a_user_jsonl_suite_runs(tmp_path: Path) -> None:
    suite = tmp_path / "mine.jsonl"
    suite.write_text('{"input": "2+2?", "answer": 4}\n{"input": "Capital of France?", "answer": "Paris"}\n')
    rules = [{"pattern": r"2\+2", "response": "Answer: 4.0"}, {"pattern": "France", "response": "Answer: Lyon"}]
    done = run_cli("eval", "run", str(suite), "--strategy", "direct", "--json", **env(tmp_path, rules))
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["suite"] == "jsonl" and body["columns"][0]["correct"] == 1


def test_help_explains_resuming() -> None:
    done = run_cli("eval", "run", "--help")
    assert done.returncode == 0 and "--resume RUN_ID" in done.stdout and "skipping the finished items" in done.stdout


def test_the_cli_offers_every_strategy_column_the_schema_has() -> None:
    from server.cli import evals
    from workflows.evals.schema import STRATEGIES

    assert evals.STRATEGIES == STRATEGIES


def test_prompt_search_against_the_original_prompt_on_held_out_items(tmp_path: Path) -> None:
    """Issue 13's prompt-lab arena column: the variant found on other items, scored beside the original."""
    from tests.workflows.test_eval_prompt_search import RULES, SUITE

    suite = tmp_path / "capitals.jsonl"
    suite.write_text(SUITE)
    args = ["eval", "run", str(suite), "-s", "prompt", "-s", "prompt_search", "--offset", "3", "--limit", "2"]
    done = run_cli(*args, **env(tmp_path, RULES))
    assert done.returncode == 0, done.stderr
    scores = [line for line in done.stdout.splitlines() if "@scripted" in line and "[" in line]  # has the CI
    rows = {line.split()[1].split("@")[0]: line for line in scores}
    assert "0/2" in rows["prompt"] and "2/2" in rows["prompt_search"]
    said = " ".join(done.stdout.split())  # the console folds long lines
    assert "searched" in said and "original 0.0/10, chosen 10.0/10" in said
    assert "For example, a question and a good answer" in said  # the variant itself is printed
    body = json.loads(run_cli(*args, "--json", "--run-id", "again", **env(tmp_path, RULES, "r2.json")).stdout)
    assert body["prompts"][0]["techniques"][0] == "examples"
