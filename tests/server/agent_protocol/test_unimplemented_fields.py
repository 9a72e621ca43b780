"""Over a real server: a run field the server does not implement is refused with 422 naming
it, never ignored; what langgraph-sdk sends, with every default spelled out, still runs;
stream_subgraphs is honoured because no served workflow has subgraphs (checked here); and
a waited run with on_disconnect=cancel is cancelled when its client leaves."""

from __future__ import annotations

import inspect
import time
from typing import Any

import httpx
import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph_sdk.client import LangGraphClient

from workflows.registry import WORKFLOWS

from .conftest import REPLY, collect

HELLO = {"messages": [{"type": "human", "content": "hello"}]}


async def test_webhook_to_an_unlisted_loopback_address_is_refused_naming_it(api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url, timeout=60) as http:  # the first request may wait for warm-up
        body = {"assistant_id": "chat", "input": HELLO, "webhook": "http://127.0.0.1:9/hook"}
        response = await http.post("/runs/wait", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and error["fields"][0]["field"] == "webhook"
    assert "loopback" in error["message"] and "THINKROOM_WEBHOOK_HOSTS" in error["message"]


@pytest.mark.parametrize(
    ("field", "value"), [("feedback_keys", ["helpful"]), ("strict_resume", True), ("checkpoint_during", "often")]
)
async def test_sdk_argument_the_server_cannot_honour_is_a_422_naming_it(
    client: LangGraphClient, field: str, value: Any
) -> None:
    thread = await client.threads.create()
    with pytest.raises(httpx.HTTPStatusError) as caught:
        await collect(client.runs.stream(thread["thread_id"], "chat", input=HELLO, **{field: value}))
    assert caught.value.response.status_code == 422 and field in caught.value.response.json()["error"]["message"]
    assert await client.runs.list(thread["thread_id"]) == []


DEFAULTS: dict[str, Any] = {
    "stream_mode": "values", "stream_subgraphs": False, "stream_resumable": False, "metadata": {}, "config": {},
    "context": {}, "checkpoint": None, "checkpoint_id": None, "checkpoint_during": True, "interrupt_before": [],
    "interrupt_after": [], "feedback_keys": [], "on_disconnect": "continue", "on_completion": "keep", "webhook": None,
    "multitask_strategy": "enqueue", "if_not_exists": "reject", "after_seconds": 0, "langsmith_tracing": None,
    "durability": "async", "strict_resume": False,
}


async def test_sdk_calls_with_every_default_spelled_out_run(client: LangGraphClient) -> None:
    """Each of runs.create/stream/wait with every optional argument it has at its default value."""
    thread = (await client.threads.create())["thread_id"]
    for name in ("stream", "wait", "create"):
        method = getattr(client.runs, name)
        kwargs = {k: v for k, v in DEFAULTS.items() if k in inspect.signature(method).parameters}
        if name == "stream":
            events = await collect(method(thread, "chat", input=HELLO, **kwargs))
            assert "error" not in {e for e, _ in events}, events
            assert events[-1][1]["messages"][-1]["content"] == REPLY, events
        elif name == "wait":
            assert (await method(thread, "chat", input=HELLO, **kwargs))["messages"][-1]["content"] == REPLY
        else:
            run = await method(thread, "chat", input=HELLO, **kwargs)
            await client.runs.join(thread, run["run_id"])
    runs = await client.runs.list(thread)
    assert [r["status"] for r in runs] == ["success"] * 3


def test_no_workflow_has_subgraphs_so_stream_subgraphs_loses_nothing() -> None:
    for name, spec in WORKFLOWS.items():
        assert not list(spec.build().compile(checkpointer=InMemorySaver()).get_subgraphs()), name


async def _settled(http: httpx.AsyncClient, thread_id: str) -> str:
    """The status of the thread's only run once it has ended (waiting for it, never timing it)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = (await http.get(f"/threads/{thread_id}/runs")).json()
        if runs and runs[0]["status"] not in ("pending", "running"):
            return str(runs[0]["status"])
        await _pause()
    raise AssertionError(f"the run on {thread_id} never ended")


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.1)


async def test_waited_run_with_on_disconnect_cancel_stops_when_the_client_leaves(api_url: str) -> None:
    outcome = {}
    async with httpx.AsyncClient(base_url=api_url) as http:
        for mode in ("cancel", "continue"):
            thread = (await http.post("/threads", json={})).json()["thread_id"]
            body = {"assistant_id": "slow", "input": {"delay": 0.5}, "on_disconnect": mode}
            with pytest.raises(httpx.ReadTimeout):  # the client gives up long before three 0.5 s steps
                await http.post(f"/threads/{thread}/runs/wait", json=body, timeout=httpx.Timeout(10, read=0.2))
            outcome[mode] = await _settled(http, thread)
    assert outcome == {"cancel": "interrupted", "continue": "success"}
