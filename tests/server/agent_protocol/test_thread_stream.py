"""GET /threads/{thread_id}/stream through langgraph-sdk's `threads.join_stream`: the events of
the thread's runs as they happen, each run closed by `run_done`; Last-Event-ID resumes; modes
filter; bad modes, ids and threads are refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

from .conftest import REPLY

HELLO = {"messages": [{"type": "human", "content": "hello"}]}


async def until_done(stream: AsyncIterator[Any], run_id: str) -> list[tuple[str, Any, str | None]]:
    """(event, data, id) of the stream up to and including `run_id`'s run_done."""
    parts = []
    async for part in stream:
        parts.append((part.event, part.data, part.id))
        if part.event == "run_done" and part.data["run_id"] == run_id:
            return parts
    raise AssertionError(f"stream ended before run {run_id} was done: {parts}")


async def test_thread_stream_follows_runs_as_they_happen(client: LangGraphClient) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    slow = await client.runs.create(thread_id, "slow", input={"delay": 60})
    stream = await client.threads.join_stream(thread_id)
    first = await anext(stream)  # the running run is followed from its first event
    assert (first.event, first.data["run_id"], first.id) == ("metadata", slow["run_id"], f"{slow['run_id']}:0")

    await client.runs.cancel(thread_id, slow["run_id"])
    parts = await until_done(stream, slow["run_id"])
    assert parts[-1][:2] == ("run_done", {"run_id": slow["run_id"], "status": "interrupted"})

    chat = await client.runs.create(thread_id, "chat", input=HELLO)  # a later run on the open stream
    parts = await until_done(stream, chat["run_id"])
    await stream.aclose()
    events = [event for event, _, _ in parts]
    assert events[0] == "metadata" and parts[0][1]["run_id"] == chat["run_id"]
    assert "values" in events and parts[-1][:2] == ("run_done", {"run_id": chat["run_id"], "status": "success"})
    last_values = [data for event, data, _ in parts if event == "values"][-1]
    assert last_values["messages"][-1]["content"] == REPLY
    assert all(event_id and event_id.startswith(chat["run_id"]) for _, _, event_id in parts)


async def test_last_event_id_resumes_within_and_after_a_run(client: LangGraphClient) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    first = await client.runs.wait(thread_id, "chat", input=HELLO)
    assert first["messages"][-1]["content"] == REPLY
    run_a = (await client.runs.list(thread_id))[0]["run_id"]
    run_b = (await client.runs.create(thread_id, "chat", input=HELLO))["run_id"]

    after_a = await until_done(await client.threads.join_stream(thread_id, last_event_id=f"{run_a}:done"), run_b)
    assert {data["run_id"] for event, data, _ in after_a if event in ("metadata", "run_done")} == {run_b}

    whole = await until_done(await client.threads.join_stream(thread_id, last_event_id=f"{run_a}:0"), run_b)
    a_ids = [event_id for _, _, event_id in whole if event_id and event_id.startswith(run_a)]
    assert a_ids[0] == f"{run_a}:1" and a_ids[-1] == f"{run_a}:done"  # the rest of A, then all of B
    assert whole[-1][:2] == ("run_done", {"run_id": run_b, "status": "success"})


async def test_lifecycle_mode_only_starts_and_ends(client: LangGraphClient) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    await client.runs.wait(thread_id, "chat", input=HELLO)
    run_a = (await client.runs.list(thread_id))[0]["run_id"]
    run_b = (await client.runs.create(thread_id, "chat", input=HELLO))["run_id"]
    parts = await until_done(
        await client.threads.join_stream(thread_id, last_event_id=f"{run_a}:done", stream_mode="lifecycle"), run_b
    )
    assert [event for event, _, _ in parts] == ["metadata", "run_done"]
    state = await until_done(
        await client.threads.join_stream(thread_id, last_event_id=f"{run_a}:done", stream_mode="state_update"), run_b
    )
    assert {event for event, _, _ in state} == {"values", "run_done"}


@pytest.mark.parametrize(
    ("params", "headers", "status", "field"),
    [
        ({"stream_mode": "everything"}, {}, 422, "stream_mode"),
        ({}, {"Last-Event-ID": "no-such-run:3"}, 422, "Last-Event-ID"),
    ],
)
async def test_bad_stream_requests_are_refused(
    client: LangGraphClient, api_url: str, params: dict[str, str], headers: dict[str, str], status: int, field: str
) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    async with httpx.AsyncClient(base_url=api_url, timeout=60) as http:
        response = await http.get(f"/threads/{thread_id}/stream", params=params, headers=headers)
        missing = await http.get("/threads/no-such-thread/stream")
    assert response.status_code == status and response.json()["error"]["fields"][0]["field"] == field
    assert missing.status_code == 404


async def test_the_stream_ends_when_the_thread_is_deleted(client: LangGraphClient) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    slow = await client.runs.create(thread_id, "slow", input={"delay": 60})
    stream = await client.threads.join_stream(thread_id, stream_mode="lifecycle")
    assert (await anext(stream)).event == "metadata"
    await client.runs.cancel(thread_id, slow["run_id"], wait=True)
    await client.threads.delete(thread_id)
    rest = [part.event async for part in stream]
    assert rest == ["run_done"] or rest == []  # the run's end may be read before or after the delete
    await asyncio.sleep(0)
