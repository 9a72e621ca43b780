"""A killed or failed evaluation resumes on the same thread and skips every item it had finished."""

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

from langchain_core.runnables import RunnableConfig

from agents.evals.suites import gsm8k_items
from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.errors import BackendUnavailable
from agents.llm.gateway import Gateway
from agents.llm.types import ChatMessage, ChatResult, GenerationOptions
from tests.server.helpers import THINKROOM, cli_env, run_cli
from workflows.checkpoint import open_checkpointer
from workflows.context import WorkflowContext
from workflows.registry import get_workflow

ITEMS = gsm8k_items()[:6]
INPUT = {"suite": "gsm8k", "limit": 6, "strategies": ["direct"]}


def rules(items: list[Any], delay_s: float = 0.0) -> list[dict[str, Any]]:
    return [
        {"pattern": re.escape(i.input[:60]), "response": f"Answer: {i.data['number']}", "delay_s": delay_s}
        for i in items
    ]


class FailsOnce(ScriptedBackend):
    """The backend goes away when the fourth item is asked (the run stops there, as after a crash)."""

    def __init__(self, rules: list[dict[str, Any]], fail_on: str) -> None:
        super().__init__(rules)
        self.fail_on = fail_on

    async def chat(
        self, messages: list[ChatMessage], model: str, options: GenerationOptions, json_schema: Any = None
    ) -> ChatResult:
        if self.fail_on in messages[-1].content:
            raise BackendUnavailable("ollama went away", backend=self.name)
        return await super().chat(messages, model, options, json_schema)


async def run(db: Path, backend: ScriptedBackend, graph_input: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    async with open_checkpointer(db) as saver:
        graph = get_workflow("eval").build().compile(checkpointer=saver)
        config: RunnableConfig = {"configurable": {"thread_id": "t"}}
        try:
            async for part in graph.astream(graph_input, config, context=WorkflowContext(Gateway(backend)),
                                            stream_mode="custom"):
                events.append(part)
        finally:
            snapshot = await graph.aget_state(config)
    return dict(snapshot.values), events


async def test_a_run_stopped_by_a_fault_resumes_and_asks_only_the_unfinished_items(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    failing = FailsOnce(rules(ITEMS), fail_on=ITEMS[3].input[:60])
    try:
        await run(db, failing, INPUT)
    except BackendUnavailable:
        pass
    else:
        raise AssertionError("the backend fault must stop the run")
    done = await finished_ids(db, "t")
    assert {"gsm8k/0", "gsm8k/1", "gsm8k/2"} <= done and "gsm8k/3" not in done
    unfinished = {k for k, item in enumerate(ITEMS) if item.id not in done}

    healthy = ScriptedBackend(rules(ITEMS))
    values, events = await run(db, healthy, None)  # resume the same thread from its checkpoint
    asked_again = {i for i, item in enumerate(ITEMS) if any(item.input[:60] in p for p in healthy.prompts)}
    assert asked_again == unfinished
    assert [e["data"]["id"] for e in events if e["kind"] == "eval.item"] == [f"gsm8k/{k}" for k in sorted(unfinished)]
    column = values["result"]["columns"][0]
    assert (column["correct"], column["items"]) == (6, 6)
    assert [i["index"] for i in values["result"]["items"]] == list(range(6))


def finished_writes(db: Path, thread: str) -> int:
    """Writes to `results`: the setup's reset, then one per finished item."""
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            query = "select count(*) from writes where thread_id = ? and channel = 'results'"
            return int(conn.execute(query, (thread,)).fetchone()[0])
    except sqlite3.OperationalError:
        return 0


async def finished_ids(db: Path, thread: str) -> set[str]:
    from server.cli.result_runs import finished_results

    async with open_checkpointer(db) as saver:
        graph = get_workflow("eval").build().compile(checkpointer=saver)
        snapshot = await graph.aget_state({"configurable": {"thread_id": thread}})
    return {r["id"] for r in finished_results(snapshot)}


async def test_sigkill_mid_suite_then_resume_skips_the_finished_items(tmp_path: Path) -> None:
    db, all_rules = tmp_path / "checkpoints.db", tmp_path / "all.json"
    all_rules.write_text(json.dumps(rules(ITEMS, delay_s=0.4)))
    env = {"THINKROOM_BACKEND": "scripted", "THINKROOM_CHECKPOINT_PATH": str(db),
           "THINKROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'thinkroom.db'}"}
    proc = subprocess.Popen(
        [THINKROOM, "eval", "run", "gsm8k", "--strategy", "direct", "--limit", "6", "--run-id", "victim"],
        env=cli_env(THINKROOM_SCRIPTED_RULES=str(all_rules), **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while finished_writes(db, "victim") < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = await finished_ids(db, "victim")
    assert 2 <= len(done) < 6

    # the resumed run may only ask the unfinished items: the finished ones have no rule any more
    rest = tmp_path / "rest.json"
    rest.write_text(json.dumps(rules([i for i in ITEMS if i.id not in done])))
    resumed = run_cli("eval", "run", "--resume", "victim", "--json", THINKROOM_SCRIPTED_RULES=str(rest), **env)
    assert resumed.returncode == 0, resumed.stderr
    body = json.loads(resumed.stdout)
    assert body["items"] == 6 and body["columns"][0]["correct"] == 6 and body["columns"][0]["errors"] == 0


async def test_a_new_run_on_a_used_thread_does_not_inherit_its_items(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    first, _ = await run(db, ScriptedBackend(rules(ITEMS)), INPUT)
    assert first["result"]["columns"][0]["correct"] == 6
    wrong = ScriptedBackend([{"pattern": ".", "response": "Answer: -1"}])
    again, _ = await run(db, wrong, {**INPUT, "limit": 3})
    assert again["result"]["columns"][0]["correct"] == 0 and len(again["result"]["items"]) == 3
    assert len(wrong.prompts) == 3


async def test_a_user_suite_is_stored_once_not_once_per_item(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    rows = [{"input": f"What is {k} + {k}? " + "padding " * 20, "answer": 2 * k} for k in range(50)]
    text = "\n".join(json.dumps(row) for row in rows)
    values, _ = await run(db, ScriptedBackend([]), {"suite": "jsonl", "suite_text": text, "reference": True})
    assert values["result"]["columns"][0]["correct"] == 50
    with sqlite3.connect(db) as conn:
        sends = conn.execute("select sum(length(value)) from writes where channel = '__pregel_tasks'").fetchone()[0]
    assert sends < 50 * len(text) / 10  # each item step carries its own item, not the suite
