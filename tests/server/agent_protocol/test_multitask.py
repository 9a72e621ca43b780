"""Double texting: reject, enqueue, interrupt and rollback on a busy thread."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import ConflictError, NotFoundError


async def busy_thread(client: LangGraphClient, delay: float = 0.4) -> tuple[str, str]:
    thread = await client.threads.create()
    run = await client.runs.create(thread["thread_id"], "slow", input={"delay": delay})
    return thread["thread_id"], run["run_id"]


async def test_reject(client: LangGraphClient, api_url: str) -> None:
    thread_id, first = await busy_thread(client)
    with pytest.raises(ConflictError):
        await client.runs.create(thread_id, "slow", input={"delay": 0}, multitask_strategy="reject")
    raw = httpx.post(f"{api_url}/threads/{thread_id}/runs",
                     json={"assistant_id": "slow", "input": {}, "multitask_strategy": "reject"})
    assert raw.status_code == 409 and raw.json()["error"]["code"] == "conflict"
    assert (await client.runs.join(thread_id, first))["steps"] == ["one", "two", "three"]
    assert len(await client.runs.list(thread_id)) == 1


async def test_enqueue(client: LangGraphClient) -> None:
    thread_id, _first = await busy_thread(client, 0.2)
    second = await client.runs.create(thread_id, "slow", input={"delay": 0.01}, multitask_strategy="enqueue")
    assert (await client.runs.get(thread_id, second["run_id"]))["status"] == "pending"
    result = await client.runs.join(thread_id, second["run_id"])
    assert result["steps"] == ["one", "two", "three"] * 2
    assert [r["status"] for r in await client.runs.list(thread_id)] == ["success", "success"]


async def test_interrupt(client: LangGraphClient) -> None:
    thread_id, first = await busy_thread(client)
    await asyncio.sleep(0.6)  # `one` is done, `two` is running
    second = await client.runs.create(thread_id, "slow", input={"delay": 0.01}, multitask_strategy="interrupt")
    result = await client.runs.join(thread_id, second["run_id"])
    old = await client.runs.get(thread_id, first)
    assert old["status"] == "interrupted"
    assert old["cancel_reason"].startswith("cancelled by a newer run")
    assert result["steps"] == ["one", "one", "two", "three"]  # the interrupted run's progress is kept


async def test_a_client_cancel_says_so_not_that_a_newer_run_came(client: LangGraphClient) -> None:
    thread_id, first = await busy_thread(client)
    await client.runs.cancel(thread_id, first, wait=True)
    cancelled = await client.runs.get(thread_id, first)
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("interrupted", "cancelled")


async def test_rollback(client: LangGraphClient) -> None:
    thread_id, first = await busy_thread(client)
    await asyncio.sleep(0.6)
    second = await client.runs.create(thread_id, "slow", input={"delay": 0.01}, multitask_strategy="rollback")
    result = await client.runs.join(thread_id, second["run_id"])
    with pytest.raises(NotFoundError):
        await client.runs.get(thread_id, first)
    assert result["steps"] == ["one", "two", "three"]  # nothing of the rolled-back run is left
    history = await client.threads.get_history(thread_id, limit=100)
    assert all(h["metadata"].get("run_id") == second["run_id"] for h in history)


async def test_stream_double_text_interrupt(client: LangGraphClient) -> None:
    """A streaming client of an interrupted run sees its stream end, not hang."""
    thread_id, first = await busy_thread(client)
    joined = asyncio.create_task(
        asyncio.wait_for(_drain(client, thread_id, first), timeout=20)
    )
    await asyncio.sleep(0.5)
    await client.runs.wait(thread_id, "slow", input={"delay": 0.01}, multitask_strategy="interrupt")
    events = await joined
    assert events[0] == "metadata"


async def _drain(client: LangGraphClient, thread_id: str, run_id: str) -> list[str]:
    return [part.event async for part in client.runs.join_stream(thread_id, run_id)]
