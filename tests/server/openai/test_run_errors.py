"""A failure raised inside a `/v1` run, past the pre-run input checks, is a typed OpenAI error, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict

import pytest
from fastapi.testclient import TestClient
from langgraph.graph import END, START, StateGraph

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.errors import BackendUnavailable
from agents.llm.gateway import Gateway
from server.openai.errors import OpenAIError, as_openai_error, run_error
from workflows.context import WorkflowContext
from workflows.registry import WORKFLOWS, WorkflowSpec

from ..conftest import make_client


class PickyState(TypedDict, total=False):
    question: str
    strategy: str
    answer: str


async def pick(state: PickyState) -> dict[str, Any]:
    if state["strategy"] == "picky":
        raise ValueError("the question must name a concept,\nnot a sum")
    if state["strategy"] == "broken":
        raise KeyError("secret-internal-detail")
    return {"answer": "fine"}


def build_picky() -> StateGraph[Any, Any, Any, Any]:
    graph = StateGraph(PickyState, context_schema=WorkflowContext)
    graph.add_node("pick", pick)
    graph.add_edge(START, "pick")
    graph.add_edge("pick", END)
    return graph


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    spec = WorkflowSpec("pickyreason", "Rejects some input mid-run.", build_picky, ["ok", "picky", "broken"])
    monkeypatch.setitem(WORKFLOWS, "pickyreason", spec)
    with make_client(tmp_path, Gateway(ScriptedBackend([{"pattern": ".", "response": "ok"}]))) as test_client:
        yield test_client


def ask(model: str, stream: bool = False) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": "What is 17 + 25?"}], "stream": stream}


def last_data(text: str) -> dict[str, Any]:
    return json.loads([line for line in text.splitlines() if line.startswith("data: ")][-1][6:])  # type: ignore[no-any-return]


def test_a_value_error_inside_a_run_is_a_400_invalid_request(client: TestClient) -> None:
    response = client.post("/v1/chat/completions", json=ask("pickyreason:picky"))
    assert response.status_code == 400, response.text
    assert response.json() == {
        "error": {
            "message": "workflow pickyreason rejected the input: the question must name a concept, not a sum",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "invalid_input",
        }
    }
    assert client.post("/v1/chat/completions", json=ask("pickyreason:ok")).json()["choices"][0]["message"] == {
        "role": "assistant",
        "content": "fine",
        "refusal": None,
    }


def test_a_value_error_inside_a_streamed_run_gets_its_status_before_streaming(client: TestClient) -> None:
    response = client.post("/v1/chat/completions", json=ask("pickyreason:picky", stream=True))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_input"


def test_any_other_failure_inside_a_run_is_a_one_line_500_without_its_details(client: TestClient) -> None:
    response = client.post("/v1/chat/completions", json=ask("pickyreason:broken"))
    assert response.status_code == 500
    assert response.json()["error"] == {
        "message": "internal error: KeyError",
        "type": "server_error",
        "param": None,
        "code": "internal_error",
    }
    assert "secret-internal-detail" not in response.text and "Traceback" not in response.text


def test_run_error_keeps_backend_faults_and_leaves_other_errors_alone() -> None:
    fault = BackendUnavailable("ollama is not running", backend="ollama")
    wrapped = ValueError("parse failed")
    wrapped.__cause__ = fault
    assert run_error(wrapped, "reason") is wrapped
    assert as_openai_error(wrapped).code == fault.code
    other = RuntimeError("boom")
    assert run_error(other, "reason") is other
    typed = run_error(ValueError("x" * 1000), "reason")
    assert isinstance(typed, OpenAIError) and typed.status == 400 and len(typed.message) < 400
