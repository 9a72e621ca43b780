"""Usage is collected one way: the gateway records each model call, and every figure the API
shows (a run's usage, the reason workflow's strategy figures, each node's `node.end` usage,
and `/v1`'s usage) is that record summed, for a multi-call strategy too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.gateway import Gateway
from agents.llm.types import Usage
from tests.workflows.strategies.helpers import RecordingBackend

from .conftest import make_client

#: Three different replies, so three calls' tokens are not one call's times three.
RULES = [{"pattern": "times", "responses": ["Answer: 42", "Six sevens make forty-two. Answer: 42", "So: Answer: 42"]}]
QUESTION = "What is 6 times 7?"
FIGURES = ("calls", "prompt_tokens", "completion_tokens")


def summed(calls: list[Usage]) -> tuple[int, int, int]:
    return len(calls), sum(c.prompt_tokens for c in calls), sum(c.completion_tokens for c in calls)


def figures(usage: dict[str, Any]) -> tuple[int, int, int]:
    return usage["calls"], usage["prompt_tokens"], usage["completion_tokens"]


def sse(text: str) -> list[tuple[str, Any]]:
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines and "data" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_cot_sc_run_usage_is_the_sum_of_its_calls_everywhere_it_is_shown(tmp_path: Path) -> None:
    gateway = Gateway(ScriptedBackend(RULES))
    body = {
        "assistant_id": "reason",
        "input": {"question": QUESTION, "strategy": "cot_sc", "config": {"n": 3, "early_stop": False}},
        "stream_mode": ["custom", "values"],
    }
    with make_client(tmp_path, gateway) as client:
        thread = client.post("/threads", json={}).json()["thread_id"]
        response = client.post(f"/threads/{thread}/runs/stream", json=body)
        calls = list(gateway.ledger.records)
        run = client.get(f"/threads/{thread}/runs").json()[0]
        state = client.get(f"/threads/{thread}/state").json()["values"]
    per_call = summed(calls)
    assert per_call[0] == 3 and len({c.completion_tokens for c in calls}) == 3
    assert run["status"] == "success" and figures(run["usage"]) == per_call
    assert figures(state["usage"]) == per_call and state["usage"]["failed_calls"] == 0  # the dashboard's figures
    node_ends = [d["data"]["usage"] for e, d in sse(response.text) if e == "custom" and d["kind"] == "node.end"]
    assert tuple(sum(u[k] for u in node_ends) for k in FIGURES) == per_call
    assert round(sum(c.wall_time_s for c in calls), 4) == run["usage"]["model_seconds"]


def test_a_failed_sample_is_not_a_call_that_cost_tokens_but_is_named(tmp_path: Path) -> None:
    """CoT-SC drops a sample whose call failed: the run still succeeds, and its figures still agree."""
    gateway = Gateway(RecordingBackend(RULES, fail_calls={1}))
    body = {"assistant_id": "reason",
            "input": {"question": QUESTION, "strategy": "cot_sc", "config": {"n": 3, "early_stop": False}}}
    with make_client(tmp_path, gateway) as client:
        thread = client.post("/threads", json={}).json()["thread_id"]
        state = client.post(f"/threads/{thread}/runs/wait", json=body).json()
        run = client.get(f"/threads/{thread}/runs").json()[0]
    per_call = summed(list(gateway.ledger.records))
    assert run["status"] == "success" and per_call[0] == 2
    assert figures(run["usage"]) == figures(state["usage"]) == per_call
    assert state["usage"]["failed_calls"] == 1 and state["trace"]["failed_samples"] == [1]
    assert run["usage"]["failed_calls"] == 1  # the run's own usage names the failed call too


def test_v1_usage_is_the_sum_of_the_workflows_calls(tmp_path: Path) -> None:
    gateway = Gateway(ScriptedBackend(RULES))
    message = {"role": "user", "content": QUESTION}
    with make_client(tmp_path, gateway) as client:
        plain = client.post("/v1/chat/completions", json={"model": "reason:cot_sc", "messages": [message]})
        first = summed(list(gateway.ledger.records))
        streamed = client.post(
            "/v1/chat/completions",
            json={"model": "reason:cot_sc", "messages": [message], "stream": True,
                  "stream_options": {"include_usage": True}},
        )
        second = summed(list(gateway.ledger.records)[first[0]:])
    assert plain.status_code == 200 and first[0] >= 2  # self-consistency: several samples
    usage = plain.json()["usage"]
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == first[1:]
    assert usage["total_tokens"] == first[1] + first[2]
    chunks = [json.loads(line[6:]) for line in streamed.text.splitlines() if line.startswith("data: {")]
    final = [c["usage"] for c in chunks if c.get("usage")][-1]
    assert second[0] >= 2 and (final["prompt_tokens"], final["completion_tokens"]) == second[1:]
