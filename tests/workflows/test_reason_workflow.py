"""The `reason` workflow: each strategy as graph steps, exact on the scripted backend; durable runs."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from langgraph.types import Command  # noqa: F401  - documents the resume API used by the CLI

from tests.server.helpers import THINKROOM, cli_env, run_cli
from workflows.checkpoint import open_checkpointer
from workflows.context import WorkflowContext
from workflows.registry import get_workflow
from workflows.strategies import ToTConfig, get_task
from workflows.strategies.tot import run_tot

from .helpers import run_workflow, scripted


def propose(numbers: str, lines: list[str], delay_s: float = 0.0) -> dict[str, Any]:
    return {
        "pattern": rf"Input: {re.escape(numbers)}\nPossible next steps:\n\Z",
        "response": "\n".join(lines),
        "delay_s": delay_s,
    }


def value(numbers: str, verdict: str, delay_s: float = 0.0) -> dict[str, Any]:
    return {
        "pattern": rf"\n{re.escape(numbers)}\n\Z",
        "response": f"{numbers}\nthinking\n{verdict}",
        "delay_s": delay_s,
    }


def game24_rules(delay_s: float = 0.0) -> list[dict[str, Any]]:
    """A puzzle the scripted model solves in three steps, with one dead branch per level."""
    return [
        propose("4 5 6 10", ["10 - 6 = 4 (left: 4 4 5)", "4 + 5 = 9 (left: 6 9 10)"], delay_s),
        propose("4 4 5", ["4 * 5 = 20 (left: 4 20)", "4 + 4 = 8 (left: 5 8)"], delay_s),
        propose("6 9 10", ["9 + 10 = 19 (left: 6 19)"], delay_s),
        propose("4 20", ["4 + 20 = 24 (left: 24)", "20 - 4 = 16 (left: 16)"], delay_s),
        propose("5 8", ["5 * 8 = 40 (left: 40)"], delay_s),
        value("4 4 5", "sure", delay_s),
        value("6 9 10", "impossible", delay_s),
        value("4 20", "sure", delay_s),
        value("5 8", "likely", delay_s),
        value("6 19", "impossible", delay_s),
        value("24", "sure", delay_s),
        value("16", "impossible", delay_s),
        value("40", "impossible", delay_s),
    ]


TOT_INPUT = {
    "task": "game24",
    "puzzle": "4 5 6 10",
    "strategy": "tot",
    "config": {"breadth": 1, "depth": 3, "n_evaluate": 1},
}


async def test_tot_bfs_as_graph_steps_matches_the_plain_search(tmp_path: Path) -> None:
    values, events, _snapshot = await run_workflow("reason", TOT_INPUT, scripted(game24_rules()), tmp_path / "c.db")
    assert values["answer"] == "(4 * (10 - 6)) + 4 = 24" or values["verified"] is True
    assert values["verified"] is True
    plain = await run_tot(
        get_task("game24", puzzle="4 5 6 10"), scripted(game24_rules()), ToTConfig(breadth=1, depth=3, n_evaluate=1)
    )
    assert values["answer"] == plain.answer
    tree = values["tot"]["nodes"]
    assert len(tree) == len(plain.trace["nodes"])
    assert {n["text"] for n in tree.values() if n["kept"] and n["text"]} == {
        "10 - 6 = 4 (left: 4 4 5)",
        "4 * 5 = 20 (left: 4 20)",
        "4 + 20 = 24 (left: 24)",
    }
    assert all(n["parent_id"] in tree for n in tree.values() if n["parent_id"] is not None)
    kinds = [e["kind"] for e in events]
    assert kinds.count("tot.select") == 3 and "tot.expand" in kinds and "tot.evaluate" in kinds
    nodes_run = [e["node"] for e in events if e["kind"] == "node.end"]
    assert nodes_run == ["setup", "expand", "evaluate", "select"] * 1 + ["expand", "evaluate", "select"] * 2 + [
        "finish"
    ]


async def test_cot_sc_votes_in_graph_steps_with_early_stop(tmp_path: Path) -> None:
    responses = ["6*7=42\nAnswer: 42", "Answer: 42.0", "Answer: $42", "Answer: forty"]
    gateway = scripted([{"pattern": ".", "responses": responses}])
    graph_input = {"question": "What is 6 times 7?", "strategy": "cot_sc", "config": {"n": 5, "max_concurrency": 1}}
    values, events, _ = await run_workflow("reason", graph_input, gateway, tmp_path / "c.db")
    assert values["answer"] in ("42", "42.0") and values["trace"]["winner"] == "42"
    votes = [e for e in events if e["kind"] == "cot_sc.vote"]
    assert votes[-1]["data"]["samples_used"] == 3 and votes[-1]["data"]["samples_saved"] == 2
    assert len([e for e in events if e["kind"] == "cot_sc.sample"]) == 3


@pytest.mark.parametrize("strategy", ["direct", "cot"])
async def test_single_call_strategies(tmp_path: Path, strategy: str) -> None:
    gateway = scripted([{"pattern": ".", "response": "Let me think. 6*7 = 42.\nAnswer: 42"}])
    values, _, _ = await run_workflow(
        "reason", {"question": "6 x 7?", "strategy": strategy}, gateway, tmp_path / "c.db"
    )
    assert values["answer"] == "42"


async def test_bad_strategy_config_names_the_field(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"config\.breadth"):
        await run_workflow(
            "reason", {**TOT_INPUT, "config": {"breadth": "wide"}}, scripted(game24_rules()), tmp_path / "c.db"
        )


async def test_fork_from_an_earlier_checkpoint_runs_independently(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    gateway = scripted(game24_rules())
    original, _, _ = await run_workflow("reason", TOT_INPUT, gateway, db, thread_id="orig")
    thread = {"configurable": {"thread_id": "orig"}}
    async with open_checkpointer(db) as saver:
        graph = get_workflow("reason").build().compile(checkpointer=saver)
        history = [s async for s in graph.aget_state_history(thread)]
        final_checkpoint = history[0].config
        after_setup = next(s for s in history if s.next == ("expand",) and s.values.get("tot", {}).get("step") == 0)
        # fork: branch from the checkpoint after setup with a wider search
        widened = {**after_setup.values["tot"], "config": {**after_setup.values["tot"]["config"], "breadth": 2}}
        fork_config = await graph.aupdate_state(after_setup.config, {"tot": widened})
        async for _ in graph.astream(None, fork_config, context=WorkflowContext(gateway)):
            pass
        forked = (await graph.aget_state(thread)).values
        untouched = (await graph.aget_state(final_checkpoint)).values
        lineage, snapshot = set(), await graph.aget_state(thread)
        while snapshot.parent_config is not None:
            lineage.add(snapshot.config["configurable"]["checkpoint_id"])
            snapshot = await graph.aget_state(snapshot.parent_config)
    assert forked["verified"] is True
    assert len(forked["tot"]["nodes"]) > len(original["tot"]["nodes"])
    assert untouched["tot"]["nodes"] == original["tot"]["nodes"]
    assert final_checkpoint["configurable"]["checkpoint_id"] not in lineage  # the fork is its own branch


def checkpoints(db: Path, thread: str) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("select count(*) from checkpoints where thread_id = ?", (thread,)).fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_sigkill_mid_run_resumes_from_the_last_checkpoint_with_the_same_result(tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(game24_rules(delay_s=0.15)))
    env = {"THINKROOM_BACKEND": "scripted", "THINKROOM_SCRIPTED_RULES": str(rules)}
    args = ["run", "reason", "--input", json.dumps(TOT_INPUT), "--json"]

    baseline = run_cli(*args, "--run-id", "baseline", THINKROOM_CHECKPOINT_PATH=str(tmp_path / "a.db"), **env)
    assert baseline.returncode == 0, baseline.stderr
    expected = json.loads(baseline.stdout)["state"]

    db = tmp_path / "b.db"
    proc = subprocess.Popen(
        [THINKROOM, *args, "--run-id", "victim"],
        env=cli_env(THINKROOM_CHECKPOINT_PATH=str(db), **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while checkpoints(db, "victim") < 5 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = checkpoints(db, "victim")
    assert 5 <= killed_at

    resumed = run_cli("runs", "resume", "victim", "--json", THINKROOM_CHECKPOINT_PATH=str(db), **env)
    assert resumed.returncode == 0, resumed.stderr
    state = json.loads(resumed.stdout)["state"]
    assert checkpoints(db, "victim") > killed_at
    assert state["answer"] == expected["answer"] and state["verified"] is True
    assert state["tot"]["nodes"] == expected["tot"]["nodes"]


IMPOSSIBLE = "10 / 6 = 30 (left: 30 10 10)"
ONE_STEP = [
    propose("4 5 6 10", [IMPOSSIBLE, "10 - 6 = 4 (left: 4 4 5)"]),
    value("30 10 10", "sure"),
    value("4 4 5", "likely"),
]


async def test_verify_steps_is_a_tot_option_of_the_reason_workflow(tmp_path: Path) -> None:
    one_step = {**TOT_INPUT, "config": {"breadth": 1, "depth": 1, "n_evaluate": 1}}
    values, events, _ = await run_workflow("reason", one_step, scripted(ONE_STEP), tmp_path / "a.db")
    nodes = {n["text"]: n for n in values["tot"]["nodes"].values()}
    assert nodes[IMPOSSIBLE]["valid"] is False and nodes[IMPOSSIBLE]["value"] is None
    assert nodes["10 - 6 = 4 (left: 4 4 5)"]["kept"] is True and values["trace"]["pruned_invalid"] == 1
    assert [e["data"]["reason"] for e in events if e["kind"] == "tot.prune"] == ["10 / 6 = 5/3, not 30"]

    paper = {**one_step, "config": {**one_step["config"], "verify_steps": False}}
    values, events, _ = await run_workflow("reason", paper, scripted(ONE_STEP), tmp_path / "b.db")
    nodes = {n["text"]: n for n in values["tot"]["nodes"].values()}
    assert values["tot"]["config"]["verify_steps"] is False and values["trace"]["pruned_invalid"] == 0
    assert nodes[IMPOSSIBLE]["kept"] is True and nodes[IMPOSSIBLE]["value"] == 20.0
    assert not any(e["kind"] == "tot.prune" for e in events)


def test_cli_no_verify_steps_reaches_the_search(tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(ONE_STEP))
    env = {"THINKROOM_BACKEND": "scripted", "THINKROOM_SCRIPTED_RULES": str(rules)}
    graph_input = json.dumps({**TOT_INPUT, "config": {"breadth": 1, "depth": 1, "n_evaluate": 1}})
    for flag, pruned in (("--verify-steps", 1), ("--no-verify-steps", 0)):
        db = str(tmp_path / f"{flag}.db")
        done = run_cli("run", "reason", "--input", graph_input, flag, "--json", THINKROOM_CHECKPOINT_PATH=db, **env)
        assert done.returncode == 0, done.stderr
        state = json.loads(done.stdout)["state"]
        assert state["tot"]["config"]["verify_steps"] is (pruned == 1) and state["trace"]["pruned_invalid"] == pruned


def test_the_verify_steps_flag_is_ignored_by_strategies_without_it() -> None:
    from workflows.graphs.reason import build_config
    from workflows.strategies import CoTSCConfig, DirectConfig

    assert isinstance(build_config({"strategy": "cot_sc", "config": {"verify_steps": False}}), CoTSCConfig)
    assert isinstance(build_config({"strategy": "direct", "config": {"verify_steps": False}}), DirectConfig)
    assert build_config({"strategy": "tot", "config": {"verify_steps": False}}).verify_steps is False  # type: ignore[union-attr]
