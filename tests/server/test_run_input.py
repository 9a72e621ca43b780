"""Bad workflow input is 422 naming the field before any run exists; bodies that are not JSON or
not UTF-8 are 4xx errors that never present a character offset as a field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.gateway import Gateway

from .conftest import make_client

BAD_INPUTS = [
    ("reason", {}, "input.question"),
    ("reason", {"question": "2 + 2?", "strategy": "nope"}, "input.strategy"),
    ("reason", {"question": "2 + 2?", "strategy": "cot_sc", "config": {"n": -3}}, "input.config"),
    ("chat", {"messages": "hello"}, "input.messages"),
    ("chat", ["hello"], "input"),
]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    gateway = Gateway(ScriptedBackend([{"pattern": ".", "response": "Answer: 4"}]))
    with make_client(tmp_path, gateway) as test_client:
        yield test_client


@pytest.mark.parametrize("route", ["runs/wait", "runs/stream", "runs"])
@pytest.mark.parametrize(("assistant", "value", "field"), BAD_INPUTS)
def test_invalid_workflow_input_is_422_naming_the_field_before_the_run(
    client: TestClient, route: str, assistant: str, value: object, field: str
) -> None:
    thread = client.post("/threads", json={}).json()["thread_id"]
    response = client.post(f"/threads/{thread}/{route}", json={"assistant_id": assistant, "input": value})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and error["fields"][0]["field"] == field
    assert f"{field}:" in error["message"]
    assert client.get(f"/threads/{thread}/runs").json() == []  # no run was started
    assert client.get(f"/threads/{thread}").json()["status"] == "idle"


def test_stateless_wait_checks_input_too(client: TestClient) -> None:
    response = client.post("/runs/wait", json={"assistant_id": "reason", "input": {"question": 7}})
    assert response.status_code == 422 and response.json()["error"]["fields"][0]["field"] == "input.question"


def test_valid_input_still_runs(client: TestClient) -> None:
    body = {"assistant_id": "reason", "input": {"question": "2 + 2?", "strategy": "direct"}}
    response = client.post("/runs/wait", json=body)
    assert response.status_code == 200 and response.json()["answer"] == "4"


def test_malformed_json_names_the_body_not_an_offset(client: TestClient) -> None:
    response = client.post("/runs/wait", content=b'{"assistant_id": "chat", "input": {', headers=JSON)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"] == [
        {
            "field": "body",
            "message": "the request body is not valid JSON (JSON decode error at character 35)",
            "type": "json_invalid",
        }
    ]
    assert not error["message"].startswith("invalid input: 35")


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/runs/wait"])
def test_a_body_that_is_not_utf8_is_400(client: TestClient, path: str) -> None:
    response = client.post(path, content=b'{"model": "\xff\xfe", "messages": []}', headers=JSON)
    assert response.status_code == 400, response.text
    if path.startswith("/v1"):
        assert response.json()["error"]["code"] == "invalid_body"
    assert client.get("/health").status_code == 200


def test_v1_workflows_answer_from_their_declared_keys(tmp_path: Path) -> None:
    """prompt_lab's two model calls are not streamed into its answer; a lesson paused for its quiz
    answers with the explanation; an unknown concept is 400 naming the field."""
    gateway = Gateway(ScriptedBackend([{"pattern": ".", "response": "Softmax turns scores into probabilities."}]))
    with make_client(tmp_path, gateway) as test_client:

        def ask(model: str, text: str) -> Any:
            body = {"model": model, "messages": [{"role": "user", "content": text}]}
            return test_client.post("/v1/chat/completions", json=body)

        lab = ask("prompt_lab", "Explain softmax")
        assert lab.status_code == 200 and lab.json()["choices"][0]["message"]["content"] == (
            "Softmax turns scores into probabilities."
        )
        lesson = ask("lesson", "softmax").json()["choices"][0]["message"]["content"]
        assert "logit" in lesson and "Softmax turns scores into probabilities." not in lesson
        unknown = ask("lesson", "nosuch")
        assert unknown.status_code == 400 and unknown.json()["error"]["param"] == "messages"
        assert "input.concept: unknown concept 'nosuch'" in unknown.json()["error"]["message"]
