"""`WORKFLOW:STRATEGY` model ids run any registered workflow; read from the registry at request time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict

import pytest
from fastapi.testclient import TestClient
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.gateway import Gateway
from workflows.context import WorkflowContext
from workflows.events import emit
from workflows.registry import WORKFLOWS, WorkflowSpec

from ..conftest import make_client


class ReasonInput(TypedDict, total=False):
    question: str
    strategy: str
    task: str


class ReasonState(TypedDict, total=False):
    question: str
    strategy: str
    task: str
    answer: str


async def solve(state: ReasonState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    gateway = runtime.context.gateway
    if state["strategy"] == "slowfail":
        await asyncio.sleep(0.2)
        raise RuntimeError("the search tree caught fire")
    samples = 3 if state["strategy"] == "vote" else 1
    answers = []
    for i in range(samples):
        result = await gateway.chat(f"[{state['strategy']}] {state['question']}")
        emit("token", node="solve", text=f"sample {i}: {result.text}")  # intermediate: never streamed
        answers.append(result.text.removeprefix("Answer: "))
    return {"answer": max(set(answers), key=answers.count)}


def build_fake_reason() -> StateGraph[Any, Any, Any, Any]:
    graph = StateGraph(ReasonState, context_schema=WorkflowContext, input_schema=ReasonInput)
    graph.add_node("solve", solve)
    graph.add_edge(START, "solve")
    graph.add_edge("solve", END)
    return graph


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, ScriptedBackend]]:
    spec = WorkflowSpec("fakereason", "A stand-in reasoning workflow.", build_fake_reason, ["once", "vote"])
    monkeypatch.setitem(WORKFLOWS, "fakereason", spec)
    backend = ScriptedBackend([{"pattern": r"\[(once|vote)\].*17 \+ 25", "response": "Answer: 42"}])
    with make_client(tmp_path, Gateway(backend)) as test_client:
        yield test_client, backend


QUESTION = {"role": "user", "content": "What is 17 + 25?"}


def test_strategies_are_listed_as_models(client: tuple[TestClient, ScriptedBackend]) -> None:
    ids = [m["id"] for m in client[0].get("/v1/models").json()["data"]]
    assert "fakereason:once" in ids and "fakereason:vote" in ids and "fakereason" not in ids


@pytest.mark.parametrize(("strategy", "calls"), [("once", 1), ("vote", 3)])
def test_workflow_strategy_answers_with_its_usage(
    client: tuple[TestClient, ScriptedBackend], strategy: str, calls: int
) -> None:
    test_client, backend = client
    body = {"model": f"fakereason:{strategy}", "messages": [{"role": "system", "content": "be exact"}, QUESTION]}
    response = test_client.post("/v1/chat/completions", json=body)
    assert response.status_code == 200, response.text
    completion = response.json()
    assert completion["choices"][0]["message"]["content"] == "42"
    assert completion["usage"]["completion_tokens"] == 2 * calls
    assert backend.prompts[-1] == f"[{strategy}] What is 17 + 25?"


def test_workflow_stream_sends_the_final_answer_not_the_samples(client: tuple[TestClient, ScriptedBackend]) -> None:
    body = {
        "model": "fakereason:vote",
        "messages": [QUESTION],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    response = client[0].post("/v1/chat/completions", json=body)
    events = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]) == "42"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] == 6


def test_unknown_strategy_is_404(client: tuple[TestClient, ScriptedBackend]) -> None:
    response = client[0].post("/v1/chat/completions", json={"model": "fakereason:nope", "messages": [QUESTION]})
    assert response.status_code == 404 and response.json()["error"]["code"] == "model_not_found"


def test_workflow_needs_a_user_turn_last(client: tuple[TestClient, ScriptedBackend]) -> None:
    body = {"model": "fakereason:once", "messages": [QUESTION, {"role": "assistant", "content": "42"}]}
    response = client[0].post("/v1/chat/completions", json=body)
    assert response.status_code == 400 and response.json()["error"]["param"] == "messages"


def test_json_response_format_for_direct_model_chats(tmp_path: Path) -> None:
    backend = ScriptedBackend([{"pattern": ".", "response": '```json\n{"answer": 42}\n```'}])
    with make_client(tmp_path, Gateway(backend)) as test_client:
        schema = {"type": "object", "properties": {"answer": {"type": "integer"}}, "required": ["answer"]}
        body = {
            "model": "scripted",
            "messages": [QUESTION],
            "response_format": {"type": "json_schema", "json_schema": {"name": "a", "schema": schema}},
        }
        response = test_client.post("/v1/chat/completions", json=body)
        assert response.status_code == 200, response.text
        assert json.loads(response.json()["choices"][0]["message"]["content"]) == {"answer": 42}
        streamed = test_client.post("/v1/chat/completions", json={**body, "stream": True})
        assert streamed.status_code == 400 and streamed.json()["error"]["param"] == "response_format"


def test_slow_runs_start_streaming_before_their_first_event(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the first-event wait the response is already a stream: the answer, or a fault, arrive in it."""
    from server.routes import openai_compat

    monkeypatch.setattr(openai_compat, "FIRST_EVENT_WAIT_S", 0.01)
    spec = WorkflowSpec("fakereason", "A stand-in reasoning workflow.", build_fake_reason, ["once", "slowfail"])
    monkeypatch.setitem(WORKFLOWS, "fakereason", spec)
    backend = ScriptedBackend([{"pattern": "17 \\+ 25", "response": "Answer: 42", "delay_s": 0.3}])
    body = {"model": "fakereason:once", "messages": [QUESTION], "stream": True}
    with make_client(tmp_path, Gateway(backend)) as test_client:
        slow = test_client.post("/v1/chat/completions", json=body)
        failing = test_client.post("/v1/chat/completions", json={**body, "model": "fakereason:slowfail"})
    assert slow.status_code == 200 and '"content": "42"' in slow.text and slow.text.rstrip().endswith("[DONE]")
    assert failing.status_code == 200
    last = json.loads([line for line in failing.text.splitlines() if line.startswith("data: ")][-1][6:])
    assert last["error"] == {
        "message": "internal error: RuntimeError",
        "type": "server_error",
        "param": None,
        "code": "internal_error",
    }
    assert "[DONE]" not in failing.text and "caught fire" not in failing.text
