"""Backend faults end the run `error` with a clear message; bad requests get 404/409/422."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

from .conftest import collect, server_process

UNSCRIPTED = {"messages": [{"role": "user", "content": "zzz nothing matches this"}]}


async def test_no_scripted_rule_ends_run_error(client: LangGraphClient, api_url: str) -> None:
    thread = await client.threads.create()
    with pytest.raises(Exception, match="NoScriptedRule") as raised:
        await client.runs.wait(thread["thread_id"], "chat", input=UNSCRIPTED)
    assert "no scripted rule matches" in str(raised.value)
    [run] = await client.runs.list(thread["thread_id"])
    assert run["status"] == "error"
    assert run["error"]["code"] == "no_scripted_rule" and "zzz" in run["error"]["message"]
    assert (await client.threads.get(thread["thread_id"]))["status"] == "error"
    assert httpx.get(f"{api_url}/health").status_code == 200
    # the thread recovers with the next good run
    ok = await client.runs.wait(thread["thread_id"], "chat", input={"messages": [{"role": "user", "content": "hello"}]})
    assert ok["answer"]
    assert (await client.threads.get(thread["thread_id"]))["status"] == "idle"


async def test_error_is_an_sse_error_event(client: LangGraphClient) -> None:
    events = await collect(client.runs.stream(None, "chat", input=UNSCRIPTED, stream_mode=["values", "updates"]))
    assert events[0][0] == "metadata"
    name, data = events[-1]
    assert name == "error"
    assert data["error"] == "NoScriptedRule" and data["code"] == "no_scripted_rule"
    assert "no scripted rule matches" in data["message"]


async def test_dead_ollama_ends_run_error_and_server_stays_up(tmp_path: Path) -> None:
    with server_process(tmp_path, THINKROOM_BACKEND="ollama") as server:
        url = server.start()
        client = server.client()
        thread = await client.threads.create()
        result = await client.runs.wait(
            thread["thread_id"], "chat", input={"messages": [{"role": "user", "content": "hello"}]}, raise_error=False
        )
        assert result["__error__"]["code"] == "backend_unavailable"
        assert result["__error__"]["message"]
        [run] = await client.runs.list(thread["thread_id"])
        assert run["status"] == "error"
        assert httpx.get(f"{url}/health").status_code == 200


def test_bad_fields_are_422_naming_them(api_url: str) -> None:
    thread = httpx.post(f"{api_url}/threads", json={}).json()
    base = f"{api_url}/threads/{thread['thread_id']}/runs"
    cases = {
        "stream_mode": {"assistant_id": "steps", "stream_mode": "telepathy"},
        "multitask_strategy": {"assistant_id": "steps", "multitask_strategy": "yolo"},
        "assistant_id": {"input": {}},
        "input": {"assistant_id": "steps", "input": {}, "command": {"resume": 1}},
    }
    for field, body in cases.items():
        response = httpx.post(f"{base}/wait", json=body)
        assert response.status_code == 422, (field, response.text)
        error = response.json()["error"]
        assert error["code"] == "invalid_input"
        assert field in error["message"] or field in str(error.get("fields")), (field, error)
    assert httpx.post(f"{api_url}/threads/search", json={"limit": "many"}).status_code == 422
    assert httpx.post(f"{api_url}/threads/{thread['thread_id']}/runs/nope/cancel").status_code == 404


def test_cancelling_a_finished_run_is_409(api_url: str) -> None:
    thread = httpx.post(f"{api_url}/threads", json={}).json()
    base = f"{api_url}/threads/{thread['thread_id']}/runs"
    run = httpx.post(base, json={"assistant_id": "slow", "input": {"delay": 0}}).json()
    httpx.get(f"{base}/{run['run_id']}/join", timeout=30)
    response = httpx.post(f"{base}/{run['run_id']}/cancel")
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
