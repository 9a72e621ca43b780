"""`thinkroom eval list|show|compare|export|plot` over stored evals, and `eval run` recording into the same table."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from server.cli import common
from server.cli.main import app
from server.db import Database
from server.db.evals import EvalRepo
from server.db.models import EvalRow
from workflows.evals.schema import EvalResult

from .eval_results import MODEL, arena, code_eval
from .helpers import THINKROOM, cli_env, run_cli

DIRECT, COT = f"direct@{MODEL}", f"cot@{MODEL}"


def store(repo: EvalRepo, eval_id: str, result: EvalResult, **fields: Any) -> None:
    data = result.model_dump(mode="json")
    row = EvalRow(eval_id=eval_id, suite=result.spec.suite, source="cli", thread_id=eval_id,
                  thinkroom_version="0.1.0", spec=data["spec"], **fields)
    repo.create(row)
    repo.update(eval_id, result=data, status="success")


@pytest.fixture
def evals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, EvalResult]]:
    """Three stored evals: two gsm8k arenas on the same items (a, b) and a HumanEval run (code)."""
    monkeypatch.setattr(common.console, "width", 160)  # tables unwrapped, whatever the terminal
    monkeypatch.setenv("THINKROOM_DATABASE_URL", f"sqlite:///{tmp_path}/thinkroom.db")
    monkeypatch.setenv("THINKROOM_CHECKPOINT_PATH", str(tmp_path / "checkpoints.db"))
    results = {
        "a": arena({"direct": [True, False, False, True, False], "cot": [True, True, False, True, True]},
                   tokens={"direct": (100, 20), "cot": (150, 300)}),
        "b": arena({"direct": [True, True, True, True, False], "cot": [False, False, False, True, True]}, seed=1),
        "code": code_eval({"reference": [(5, 5)] * 3, "direct": [(5, 1), (5, 0), (5, 3)]}),
    }
    db = Database(f"sqlite:///{tmp_path}/thinkroom.db")
    repo = EvalRepo(db)
    for eval_id, result in results.items():
        store(repo, eval_id, result)
    yield results
    db.close()


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, ["eval", *args])


def test_list_shows_newest_first_and_filters_by_suite(evals: dict[str, EvalResult]) -> None:
    listed = json.loads(invoke("list", "--json").stdout)
    assert [e["eval_id"] for e in listed["evals"]] == ["code", "b", "a"] and listed["total"] == 3
    a = listed["evals"][2]
    assert [(c["id"], c["correct"]) for c in a["columns"]] == [(DIRECT, 2), (COT, 4)]
    assert (a["status"], a["items_done"], a["total_items"]) == ("success", 5, 5)
    only_code = json.loads(invoke("list", "--suite", "humaneval", "--json").stdout)
    assert [e["eval_id"] for e in only_code["evals"]] == ["code"]
    table = invoke("list")
    assert table.exit_code == 0 and f"{COT} 80.0%" in table.stdout
    bad = invoke("list", "--suite", "mmlu")
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1 and "unknown suite 'mmlu'" in bad.stderr


def test_show_prints_the_arena_and_the_wrong_items(evals: dict[str, EvalResult]) -> None:
    shown = json.loads(invoke("show", "a", "--wrong", "--column", DIRECT, "--json").stdout)
    assert [c["accuracy"] for c in shown["columns"]] == [0.4, 0.8]
    assert [i["id"] for i in shown["items"]] == ["gsm8k/1", "gsm8k/2", "gsm8k/4"] and shown["items_total"] == 3
    assert shown["mcnemar"] == [{"a": DIRECT, "b": COT, "a_only": 0, "b_only": 2, "p_value": 0.5}]
    text = invoke("show", "a", "--items")
    assert text.exit_code == 0
    assert "paired exact McNemar tests" in text.stdout and "items 1-5 of 5" in text.stdout
    assert text.stdout.count("✗") == 4  # three wrong direct answers and one wrong cot answer
    bad = invoke("show", "a", "--items", "--column", "tot@x")
    assert bad.exit_code == 2 and "no column 'tot@x'" in bad.stderr


@pytest.mark.parametrize("command", [["show", "nope"], ["compare", "a", "nope"], ["export", "nope"],
                                     ["plot", "nope", "-o", "x.png"]])
def test_an_unknown_eval_id_is_one_line_and_exit_1(evals: dict[str, EvalResult], command: list[str]) -> None:
    result = invoke(*command)
    assert result.exit_code == 1
    assert result.stderr == "error: no eval 'nope'; `thinkroom eval list` shows them\n"


def test_compare_pairs_the_shared_columns_on_the_shared_items(evals: dict[str, EvalResult]) -> None:
    compared = json.loads(invoke("compare", "a", "b", "--json").stdout)
    assert compared["shared_items"] == 5
    direct, cot = compared["columns"]
    assert (direct["a"], direct["a_correct"], direct["b_correct"]) == (DIRECT, 2, 4)
    assert direct["delta"] == pytest.approx(0.4)
    assert (direct["mcnemar"]["a_only"], direct["mcnemar"]["b_only"]) == (0, 2)
    assert (cot["a_correct"], cot["b_correct"], cot["mcnemar"]["a_only"], cot["mcnemar"]["b_only"]) == (4, 2, 2, 0)
    pair = json.loads(invoke("compare", "a", "b", "--column-a", COT, "--column-b", DIRECT, "--json").stdout)
    assert [(c["a"], c["b"], c["a_correct"], c["b_correct"]) for c in pair["columns"]] == [(COT, DIRECT, 4, 4)]
    table = invoke("compare", "a", "b")
    assert table.exit_code == 0 and "+40.0%" in table.stdout and "5 shared items" in table.stdout
    other = invoke("compare", "a", "code")
    assert other.exit_code == 2 and "different suites (gsm8k and humaneval)" in other.stderr


def test_export_writes_json_and_csv_that_parse_back(evals: dict[str, EvalResult], tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    assert invoke("export", "a", "--format", "json", "-o", str(target)).exit_code == 0
    document = json.loads(target.read_text())
    assert EvalResult.model_validate(document["result"]) == evals["a"] and document["eval"]["eval_id"] == "a"
    printed = invoke("export", "code", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(printed.stdout)))
    assert len(rows) == 6  # 3 problems x 2 columns
    assert [(r["item_id"], r["column"], r["n"], r["c"]) for r in rows[:2]] == [
        ("HumanEval/0", "reference", "5", "5"), ("HumanEval/0", DIRECT, "5", "1")]
    assert invoke("export", "a", "--format", "xml").exit_code == 2


def test_plot_writes_png_and_svg_or_says_why_not(evals: dict[str, EvalResult], tmp_path: Path) -> None:
    png, svg = tmp_path / "tokens.png", tmp_path / "passk.svg"
    assert invoke("plot", "a", "-o", str(png)).exit_code == 0
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert invoke("plot", "code", "--kind", "passk", "-o", str(svg)).exit_code == 0
    assert ET.fromstring(svg.read_bytes()).tag == "{http://www.w3.org/2000/svg}svg"
    not_code = invoke("plot", "a", "--kind", "passk", "-o", str(svg))
    assert not_code.exit_code == 1 and "code suites" in not_code.stderr
    assert invoke("plot", "a", "-o", str(tmp_path / "x.pdf")).exit_code == 2
    assert invoke("plot", "a", "--kind", "pie", "-o", str(png)).exit_code == 2


def test_a_stale_running_cli_eval_is_shown_interrupted(evals: dict[str, EvalResult], tmp_path: Path) -> None:
    """A row a dead `eval run` left `running`: its process is gone, so it is interrupted (with the resume hint)."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    repo = EvalRepo(Database(os.environ["THINKROOM_DATABASE_URL"]))
    repo.create(EvalRow(eval_id="dead", suite="gsm8k", source="cli", thread_id="dead", pid=gone.pid,
                        spec=evals["a"].spec.model_dump(mode="json")))
    shown = json.loads(invoke("show", "dead", "--json").stdout)
    assert shown["status"] == "interrupted" and shown["items_done"] == 0
    assert "thinkroom eval run --resume dead" in shown["error"]["message"]


SLOW_RULES = [
    {"pattern": "alpha", "response": "Answer: 4"},
    {"pattern": "SLOW", "response": "Answer: 4", "delay_s": 600},
    {"pattern": ".", "response": "Answer: 7"},
]
SUITE = [{"input": "alpha: 2 + 2?", "answer": "4"}, {"input": "SLOW: 3 + 1?", "answer": "4"},
         {"input": "gamma: 5 + 5?", "answer": "10"}]


def cli_json(*args: str, **env: str) -> dict[str, Any]:
    done = run_cli(*args, "--json", **env)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_eval_run_records_a_killed_run_and_its_resumption(tmp_path: Path) -> None:
    """Through the real CLI: show a run in progress, kill -9 it, show it interrupted with its finished item,
    resume it, and find it finished in the list."""
    rules, suite = tmp_path / "rules.json", tmp_path / "suite.jsonl"
    rules.write_text(json.dumps(SLOW_RULES))
    suite.write_text("\n".join(json.dumps(line) for line in SUITE))
    env = {"THINKROOM_BACKEND": "scripted", "THINKROOM_SCRIPTED_RULES": str(rules),
           "THINKROOM_DATABASE_URL": f"sqlite:///{tmp_path}/thinkroom.db",
           "THINKROOM_CHECKPOINT_PATH": str(tmp_path / "checkpoints.db")}
    run = subprocess.Popen([THINKROOM, "eval", "run", str(suite), "--strategy", "direct", "--run-id", "k1"],
                           env=cli_env(**env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        progress: dict[str, Any] = {}
        while time.monotonic() < deadline and progress.get("items_done") != 1:
            shown = run_cli("eval", "show", "k1", "--json", **env)
            progress = json.loads(shown.stdout) if shown.returncode == 0 else {}
            time.sleep(0.2)
        assert (progress["status"], progress["items_done"], progress["total_items"]) == ("running", 1, 3)
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    killed = cli_json("eval", "show", "k1", **env)
    assert (killed["status"], killed["items_done"]) == ("interrupted", 1)
    assert killed["columns"][0]["correct"] == 1 and "--resume k1" in killed["error"]["message"]

    rules.write_text(json.dumps([{**rule, "delay_s": 0} for rule in SLOW_RULES]))
    resumed = run_cli("eval", "run", "--resume", "k1", "--json", **env)
    assert resumed.returncode == 0, resumed.stderr
    (listed,) = cli_json("eval", "list", **env)["evals"]
    assert (listed["eval_id"], listed["status"], listed["items_done"], listed["error"]) == ("k1", "success", 3, None)
    assert listed["columns"][0]["correct"] == 2 and listed["source"] == "cli"
