"""Every field of a run, thread or assistant body is implemented or refused, never ignored.

A field the server implements only at its default value answers 422 for any other value,
naming the field and saying it is not supported; a key that is no field answers 422 naming
it; what depends on the graph (node names, context keys, the checkpoint to fork) is checked
before the run exists. Nothing refused leaves a run behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.gateway import Gateway

from ..conftest import make_client

HELLO = {"messages": [{"type": "human", "content": "hello"}]}
CHAT = {"assistant_id": "chat", "input": HELLO}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    gateway = Gateway(ScriptedBackend([{"pattern": ".", "response": "Answer: 42"}]))
    with make_client(tmp_path_factory.mktemp("fields"), gateway) as test_client:
        yield test_client


@pytest.fixture
def thread(client: TestClient) -> str:
    thread_id: str = client.post("/threads", json={}).json()["thread_id"]
    return thread_id


def refused(response: Any, field: str, *words: str, status: int = 422) -> dict[str, Any]:
    """The runs API's error shape, naming `field` in the message and in the field list."""
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == ("invalid_input" if status == 422 else "not_found")
    assert field in error["message"] and field in [f["field"] for f in error.get("fields", [])], error
    for word in words:
        assert word in error["message"], error
    return error


def runs_on(client: TestClient, thread_id: str) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = client.get(f"/threads/{thread_id}/runs").json()
    return runs


# -- accepted only at the default -------------------------------------------------------------
NOT_IMPLEMENTED = [
    ("feedback_keys", ["helpful"]),
    ("strict_resume", True),
    ("langsmith_tracer", {"project_name": "thinkroom"}),
]


@pytest.mark.parametrize(("field", "value"), NOT_IMPLEMENTED)
@pytest.mark.parametrize("endpoint", ["runs/wait", "runs", "runs/stream"])
def test_a_value_the_server_does_not_implement_is_refused_and_no_run_starts(
    client: TestClient, thread: str, field: str, value: Any, endpoint: str
) -> None:
    response = client.post(f"/threads/{thread}/{endpoint}", json={**CHAT, field: value})
    refused(response, field, "not supported")
    assert runs_on(client, thread) == []


@pytest.mark.parametrize("endpoint", ["runs/wait", "runs", "runs/stream"])
def test_a_webhook_to_an_unlisted_loopback_address_is_refused_and_no_run_starts(
    client: TestClient, thread: str, endpoint: str
) -> None:
    response = client.post(f"/threads/{thread}/{endpoint}", json={**CHAT, "webhook": "http://127.0.0.1:9/hook"})
    refused(response, "webhook", "loopback")
    assert runs_on(client, thread) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("webhook", None), ("feedback_keys", []), ("strict_resume", False), ("stream_subgraphs", True),
     ("stream_resumable", True), ("on_disconnect", "cancel"), ("multitask_strategy", "reject"),
     ("if_not_exists", "create"), ("on_completion", "keep"), ("after_seconds", 0), ("interrupt_before", []),
     ("checkpoint_during", True), ("durability", "sync"), ("checkpoint", None), ("config", {"tags": ["ui"]})],
)
def test_default_and_implemented_values_are_accepted(client: TestClient, thread: str, field: str, value: Any) -> None:
    response = client.post(f"/threads/{thread}/runs/wait", json={**CHAT, field: value})
    assert response.status_code == 200, response.text
    assert response.json()["messages"][-1]["content"] == "Answer: 42"


# -- unknown keys -----------------------------------------------------------------------------
def test_unknown_run_keys_are_refused_naming_them(client: TestClient, thread: str) -> None:
    cases = [
        ({**CHAT, "kwargs": {}}, "kwargs"),
        ({**CHAT, "config": {"configurable": {}, "run_name": "x"}}, "config.run_name"),
        ({"assistant_id": "chat", "command": {"resume": 1, "goto_node": "x"}}, "command.goto_node"),
        ({**CHAT, "checkpoint": {"checkpoint_id": None, "parent": "x"}}, "checkpoint.parent"),
    ]
    for body, field in cases:
        for path in (f"/threads/{thread}/runs/wait", "/runs/wait", "/runs", f"/threads/{thread}/runs/stream"):
            refused(client.post(path, json=body), field, "Extra inputs")
    assert runs_on(client, thread) == []


def test_unknown_thread_and_assistant_keys_are_refused_naming_them(client: TestClient, thread: str) -> None:
    assistant = client.post("/assistants", json={"graph_id": "chat"}).json()["assistant_id"]
    cases = [
        ("post", "/threads", {"metadata": {}, "graph_id": "chat"}, "graph_id"),
        ("patch", f"/threads/{thread}", {"metadata": {"a": 1}, "tags": []}, "tags"),
        ("post", "/threads/search", {"limit": 5, "sort": "created_at"}, "sort"),
        ("post", "/threads/count", {"state": "idle"}, "state"),
        ("post", f"/threads/{thread}/history", {"limit": 5, "after": "x"}, "after"),
        ("post", f"/threads/{thread}/state", {"values": {}, "task_id": "t"}, "task_id"),
        ("post", "/assistants", {"graph_id": "chat", "version": 2}, "version"),
        ("post", "/assistants", {"graph_id": "chat", "config": {"callbacks": []}}, "config.callbacks"),
        ("patch", f"/assistants/{assistant}", {"name": "x", "graph": "chat"}, "graph"),
        ("post", "/assistants/search", {"limit": 5, "query": "x"}, "query"),
        ("post", "/assistants/count", {"graph": "chat"}, "graph"),
        ("post", "/runs/cancel", {"thread_id": thread, "runs": []}, "runs"),
    ]
    for method, path, body, field in cases:
        refused(client.request(method, path, json=body), field, "Extra inputs")
    assert client.get(f"/threads/{thread}").json()["metadata"] == {}
    assert client.get(f"/assistants/{assistant}").json()["name"] == "chat"


def test_thread_fields_the_server_does_not_implement_are_refused(client: TestClient, thread: str) -> None:
    chat_thread = client.post("/threads", json={"metadata": {"graph_id": "chat"}}).json()["thread_id"]
    before = client.post("/threads/count", json={}).json()
    refused(client.post("/threads", json={"ttl": {"ttl": 5, "strategy": "delete"}}), "ttl", "not supported")
    refused(client.patch(f"/threads/{thread}", json={"metadata": {}, "ttl": 5}), "ttl", "not supported")
    refused(client.post("/threads/search", json={"extract": {"n": "values.n"}}), "extract", "not supported")
    superstep = {"updates": [{"values": {}, "as_node": "respond", "command": {"resume": 1}}]}
    body = {"metadata": {"graph_id": "chat"}, "supersteps": [superstep]}
    refused(client.post("/threads", json=body), "supersteps.0.updates.0.command", "not supported")
    superstep["updates"][0].update(command=None, as_node="model")  # not a node of chat: LangGraph raised (500)
    refused(client.post("/threads", json=body), "supersteps.0.updates.0.as_node", "'model'", "respond")
    refused(client.post(f"/threads/{chat_thread}/state", json={"values": {}, "as_node": "model"}), "as_node", "model")
    assert client.post("/threads/count", json={}).json() == before
    # what the SDKs send by default passes: the Python SDK's explicit null command, the JS SDK's empty extract
    superstep["updates"][0]["as_node"] = "respond"
    assert client.post("/threads", json=body).status_code == 200
    assert client.post("/threads/search", json={"limit": 10, "offset": 0, "extract": {}}).status_code == 200


def test_history_and_checkpoint_state_select_fields(client: TestClient, thread: str) -> None:
    client.post(f"/threads/{thread}/runs/wait", json=CHAT)
    history = client.post(f"/threads/{thread}/history", json={"limit": 2, "select": ["values", "next"]}).json()
    assert history and all(set(state) == {"values", "next"} for state in history)
    head = client.get(f"/threads/{thread}/state").json()["checkpoint"]
    at = client.post(f"/threads/{thread}/state/checkpoint", json={"checkpoint": head, "select": ["next"]}).json()
    assert at == {"next": []}
    # the JS SDK pages history with `before` as a config
    older = client.post(f"/threads/{thread}/history", json={"limit": 10, "before": {"configurable": head}}).json()
    assert older and head["checkpoint_id"] not in [s["checkpoint"]["checkpoint_id"] for s in older]
    assert len(older) == len(client.post(f"/threads/{thread}/history", json={"limit": 10}).json()) - 1


# -- checked against the graph ----------------------------------------------------------------
def test_interrupt_nodes_must_be_the_graphs(client: TestClient, thread: str) -> None:
    refused(client.post(f"/threads/{thread}/runs/wait", json={**CHAT, "interrupt_before": ["nosuch"]}),
            "interrupt_before", "'nosuch'", "nodes: respond")
    refused(client.post(f"/threads/{thread}/runs", json={**CHAT, "interrupt_after": ["agent", "x"]}),
            "interrupt_after", "'x'")
    assert runs_on(client, thread) == []


def test_interrupt_before_and_after_pause_the_run_there(client: TestClient, thread: str) -> None:
    reason = {"assistant_id": "reason", "input": {"question": "What is 6 times 7?", "strategy": "direct"}}
    paused = client.post(f"/threads/{thread}/runs/wait", json={**reason, "interrupt_before": ["single"]})
    assert paused.status_code == 200 and "answer" not in paused.json()
    state = client.get(f"/threads/{thread}/state").json()
    assert state["next"] == ["single"] and client.get(f"/threads/{thread}").json()["status"] == "interrupted"
    resumed = client.post(f"/threads/{thread}/runs/wait", json={"assistant_id": "reason"}).json()
    assert resumed["answer"] == "42"

    other = client.post("/threads", json={}).json()["thread_id"]
    client.post(f"/threads/{other}/runs/wait", json={**reason, "interrupt_after": ["setup"]})
    assert client.get(f"/threads/{other}/state").json()["next"] == ["single"]


def test_context_keys_and_types_are_the_graphs(client: TestClient, thread: str) -> None:
    error = refused(client.post(f"/threads/{thread}/runs/wait", json={**CHAT, "context": {"temperature": 0}}),
                    "context.temperature", "not a context field")
    assert "strategy" in error["message"]  # says what the graph takes
    refused(client.post("/runs/wait", json={**CHAT, "context": {"strategy_config": "fast"}}), "context.strategy_config")
    refused(client.post("/assistants", json={"graph_id": "reason", "context": {"gateway": "x"}}), "context.gateway")
    assistant = client.post("/assistants", json={"graph_id": "reason", "context": {"strategy": "cot"}}).json()
    refused(client.patch(f"/assistants/{assistant['assistant_id']}", json={"context": {"stratgy": "cot"}}),
            "context.stratgy")
    assert client.get(f"/assistants/{assistant['assistant_id']}").json()["context"] == {"strategy": "cot"}
    assert runs_on(client, thread) == []


def test_a_fork_needs_a_checkpoint_of_this_thread(client: TestClient, thread: str) -> None:
    client.post(f"/threads/{thread}/runs/wait", json=CHAT)
    head = client.get(f"/threads/{thread}/state").json()["checkpoint"]
    count = len(runs_on(client, thread))
    refused(client.post(f"/threads/{thread}/runs/wait", json={**CHAT, "checkpoint_id": "1f0-not-there"}),
            "checkpoint_id", "not found", status=404)
    other = client.post("/threads", json={}).json()["thread_id"]
    refused(client.post(f"/threads/{other}/runs/wait", json={**CHAT, "checkpoint": head}),
            "checkpoint.thread_id", thread)
    refused(client.post("/runs/wait", json={**CHAT, "checkpoint_id": head["checkpoint_id"]}), "checkpoint", "stateless")
    refused(client.post(f"/threads/{thread}/runs/wait", json={**CHAT, "checkpoint": {**head, "checkpoint_ns": "sub"}}),
            "checkpoint.checkpoint_ns", "not supported")
    refused(client.post(f"/threads/{thread}/runs/wait",
                        json={**CHAT, "checkpoint": head, "checkpoint_id": "1f0-another"}), "body", "different")
    assert len(runs_on(client, thread)) == count
    forked = client.post(f"/threads/{thread}/runs/wait", json={**CHAT, "checkpoint": head})
    assert forked.status_code == 200 and len(forked.json()["messages"]) == 4


def test_on_completion_delete_is_for_stateless_runs_only(client: TestClient, thread: str) -> None:
    refused(client.post(f"/threads/{thread}/runs/wait", json={**CHAT, "on_completion": "delete"}), "on_completion")
    kept = client.post("/runs/wait", json={**CHAT, "on_completion": "keep"})
    dropped = client.post("/runs/wait", json={**CHAT, "on_completion": "delete"})
    default = client.post("/runs/wait", json=CHAT)

    def thread_of(response: Any) -> int:
        return int(client.get(response.headers["Content-Location"].split("/runs/")[0]).status_code)

    assert (thread_of(kept), thread_of(dropped), thread_of(default)) == (200, 404, 404)


def test_checkpoint_during_is_durability(client: TestClient) -> None:
    """LangGraph's mapping: true is `async` (a checkpoint per step), false is `exit` (only the last)."""
    lengths = {}
    for during in (True, False):
        thread_id = client.post("/threads", json={}).json()["thread_id"]
        body = {"assistant_id": "reason", "input": {"question": "6 times 7?"}, "checkpoint_during": during}
        assert client.post(f"/threads/{thread_id}/runs/wait", json=body).json()["answer"] == "42"
        lengths[during] = len(client.post(f"/threads/{thread_id}/history", json={"limit": 50}).json())
    assert lengths[False] < lengths[True]
    contradiction = {"assistant_id": "chat", "input": HELLO, "checkpoint_during": True, "durability": "exit"}
    refused(client.post("/runs/wait", json=contradiction), "body", "contradicts")


def test_after_seconds_holds_the_run_pending_until_then(client: TestClient, thread: str) -> None:
    run = client.post(f"/threads/{thread}/runs", json={**CHAT, "after_seconds": 3600}).json()
    assert run["status"] == "pending"
    assert client.get(f"/threads/{thread}/runs/{run['run_id']}").json()["status"] == "pending"
    assert client.post(f"/threads/{thread}/runs/{run['run_id']}/cancel", params={"wait": True}).status_code == 204
    assert client.get(f"/threads/{thread}/runs/{run['run_id']}").json()["status"] == "interrupted"
    assert client.get(f"/threads/{thread}/state").json()["values"] == {}  # it never ran
