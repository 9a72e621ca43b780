"""ToT's propose_mode through the reason workflow and `thinkroom run reason --propose-mode`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.server.helpers import run_cli

from .helpers import run_workflow, scripted


def choose(numbers: str, step: str) -> dict[str, Any]:
    pattern = rf"Input: {re.escape(numbers)}\nPossible next steps:\n\Z"
    return {"pattern": pattern, "response": json.dumps({"step": step})}


STEP = "4 * 5 = 20 (left: 6 10 20)"
RULES = [
    choose("4 5 6 10", STEP),
    {"pattern": r"Evaluate if given numbers can reach 24", "response": "fine\nlikely"},
]
ONE_STEP = {"task": "game24", "puzzle": "4 5 6 10", "strategy": "tot", "config": {"breadth": 1, "depth": 1}}


async def test_propose_mode_is_a_tot_option_of_the_reason_workflow(tmp_path: Path) -> None:
    graph_input = {**ONE_STEP, "config": {**ONE_STEP["config"], "propose_mode": "choice", "n_propose": 1}}
    values, events, _ = await run_workflow("reason", graph_input, scripted(RULES), tmp_path / "a.db")
    assert values["tot"]["config"]["propose_mode"] == "choice" and values["tot"]["propose_mode"] == "choice"
    expand = next(e["data"] for e in events if e["kind"] == "tot.expand")
    assert expand["texts"] == [STEP] and expand["proposers"] == ["choice"]


def test_the_propose_mode_flag_is_ignored_by_strategies_without_it() -> None:
    from workflows.graphs.reason import build_config
    from workflows.strategies import CoTConfig, CoTSCConfig, DirectConfig, ToTConfig

    assert isinstance(build_config({"strategy": "cot_sc", "config": {"propose_mode": "choice"}}), CoTSCConfig)
    assert isinstance(build_config({"strategy": "cot", "config": {"propose_mode": "choice"}}), CoTConfig)
    assert isinstance(build_config({"strategy": "direct", "config": {"propose_mode": "free"}}), DirectConfig)
    tot = build_config({"strategy": "tot", "config": {}})
    assert isinstance(tot, ToTConfig) and tot.propose_mode == "auto"


def test_cli_propose_mode_reaches_the_search_and_a_bad_one_is_one_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES))
    env = {
        "THINKROOM_BACKEND": "scripted",
        "THINKROOM_SCRIPTED_RULES": str(rules),
        "THINKROOM_CHECKPOINT_PATH": str(tmp_path / "c.db"),
    }
    args = ["run", "reason", "--input", json.dumps({**ONE_STEP, "config": {**ONE_STEP["config"], "n_propose": 1}})]
    done = run_cli(*args, "--propose-mode", "choice", "--json", **env)
    assert done.returncode == 0, done.stderr
    state = json.loads(done.stdout)["state"]
    nodes = [n for n in state["tot"]["nodes"].values() if n["parent_id"] is not None]
    assert [(n["text"], n["proposer"], n["valid"]) for n in nodes] == [(STEP, "choice", True)]
    bad = run_cli(*args, "--propose-mode", "sometimes", **env)
    assert bad.returncode == 2 and "propose_mode" in bad.stderr and "Traceback" not in bad.stderr
    generic = ["run", "reason", "--strategy", "tot", "--input", json.dumps({"question": "Why is the sky blue?"})]
    refused = run_cli(*generic, "--propose-mode", "choice", **env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "propose_mode 'choice' needs a task that lists its legal steps" in refused.stderr
