"""Two (or more) replicas on one PostgreSQL database, driven by the unmodified langgraph-sdk:
a run made on A is joined and streamed from B, resumed from its checkpoint by B when A is
killed with SIGKILL, 100 runs survive 3 kills, and cancel and the multitask strategies hold
across replicas."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import ConflictError

from tests.server.agent_protocol.conftest import collect

from .conftest import Replicas as Replica

pytestmark = pytest.mark.slow


async def until(check: Callable[[], Any], what: str, timeout_s: float = 30) -> Any:
    """Poll `check` (async) until it returns something truthy."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def checkpointed_steps(client: LangGraphClient, thread_id: str, count: int) -> None:
    async def enough() -> bool:
        return len((await client.threads.get_state(thread_id))["values"].get("steps", [])) >= count

    await until(enough, f"{count} checkpointed step(s) on {thread_id}")


def sse(url: str, last_event_id: str | None = None) -> list[tuple[str, str, str]]:
    """(id, event, data) of every event of an SSE response, read as a browser would."""
    headers = {"Last-Event-ID": last_event_id} if last_event_id is not None else {}
    events: list[tuple[str, str, str]] = []
    current: dict[str, str] = {}
    with httpx.stream("GET", url, headers=headers, timeout=60) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if not line:
                if "event" in current:
                    events.append((current.get("id", ""), current["event"], current.get("data", "")))
                current = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(":")
                current[key] = value.removeprefix(" ")
    return events


async def test_a_run_created_on_a_is_joined_and_streamed_from_b(replicas: Replica) -> None:
    a, b = replicas("a"), replicas("b")
    on_a, on_b = a.client(), b.client()
    thread_id = (await on_a.threads.create())["thread_id"]
    run = await on_a.runs.create(thread_id, "slow", input={"delay": 0.3}, stream_mode=["values", "updates"])
    live = await collect(on_b.runs.join_stream(thread_id, run["run_id"]))  # while A runs it
    assert live[0] == ("metadata", {"run_id": run["run_id"], "attempt": 1})
    assert [data for event, data in live if event == "updates"] == [
        {"one": {"steps": ["one"]}}, {"two": {"steps": ["two"]}}, {"three": {"steps": ["three"]}},
    ]
    assert (await on_b.runs.join(thread_id, run["run_id"]))["steps"] == ["one", "two", "three"]
    assert (await on_b.runs.get(thread_id, run["run_id"]))["status"] == "success"
    assert await collect(on_a.runs.join_stream(thread_id, run["run_id"])) == live  # stored: the same on A
    assert (await on_b.threads.get_state(thread_id))["values"]["steps"] == ["one", "two", "three"]


async def test_last_event_id_resumes_on_the_other_replica(replicas: Replica) -> None:
    a, b = replicas("a"), replicas("b")
    thread_id = (await a.client().threads.create())["thread_id"]
    run = await a.client().runs.create(thread_id, "slow", input={"delay": 0.2}, stream_mode=["values", "updates"])
    first = sse(f"{a.url}/threads/{thread_id}/runs/{run['run_id']}/stream")
    seen = first[:3]
    rest = sse(f"{b.url}/threads/{thread_id}/runs/{run['run_id']}/stream", last_event_id=seen[-1][0])
    assert seen + rest == first
    assert [int(i) for i, _, _ in first] == list(range(len(first)))


async def test_sigkill_mid_run_and_the_other_replica_finishes_it(replicas: Replica) -> None:
    a, b = replicas("a"), replicas("b")
    on_a = a.client()
    thread_id = (await on_a.threads.create())["thread_id"]
    run = await on_a.runs.create(thread_id, "slow", input={"delay": 1.0})
    queued = await on_a.runs.create(thread_id, "slow", input={"delay": 0.01}, multitask_strategy="enqueue")
    await checkpointed_steps(on_a, thread_id, 1)
    a.stop(kill=True)

    on_b = b.client()
    finished = await on_b.runs.join(thread_id, run["run_id"])
    assert finished["steps"] == ["one", "two", "three"]  # `one` was not run again
    assert (await on_b.runs.get(thread_id, run["run_id"]))["status"] == "success"
    after = await on_b.runs.join(thread_id, queued["run_id"])
    assert after["steps"] == ["one", "two", "three"] * 2
    events = await collect(on_b.runs.join_stream(thread_id, run["run_id"]))
    assert [d["attempt"] for e, d in events if e == "metadata"] == [1, 2]


async def test_a_hundred_runs_and_three_kills_lose_nothing(replicas: Replica) -> None:
    servers = {"a": replicas("a", THINKROOM_MAX_WORKERS="4"), "b": replicas("b", THINKROOM_MAX_WORKERS="4")}
    threads = [(await servers["a"].client().threads.create())["thread_id"] for _ in range(20)]
    runs: list[tuple[str, str]] = []
    for n in range(100):  # 5 runs queued on each of 20 threads, made on both replicas
        thread_id = threads[n % 20]
        client = servers["ab"[n % 2]].client()
        run = await client.runs.create(thread_id, "slow", input={"delay": 0.5}, multitask_strategy="enqueue")
        runs.append((thread_id, run["run_id"]))

    for name in ("a", "b", "a"):  # three SIGKILLs, each while that replica runs something

        async def busy(name: str = name) -> bool:
            return replicas.held_by(name) > 0

        await until(busy, f"a run in progress on {name}")
        servers[name].stop(kill=True)
        servers[name].start()

    client = servers["b"].client()
    for thread_id, run_id in runs:
        await client.runs.join(thread_id, run_id)
    statuses = [(await client.runs.get(t, r))["status"] for t, r in runs]
    assert statuses == ["success"] * 100
    for thread_id in threads:
        assert (await client.threads.get_state(thread_id))["values"]["steps"] == ["one", "two", "three"] * 5


async def test_cancel_from_the_other_replica(replicas: Replica) -> None:
    a, b = replicas("a"), replicas("b")
    thread_id = (await a.client().threads.create())["thread_id"]
    run = await a.client().runs.create(thread_id, "slow", input={"delay": 1.0})
    await checkpointed_steps(a.client(), thread_id, 1)
    await b.client().runs.cancel(thread_id, run["run_id"], wait=True)
    stored = await a.client().runs.get(thread_id, run["run_id"])
    assert stored["status"] == "interrupted"
    steps = (await a.client().threads.get_state(thread_id))["values"]["steps"]
    assert steps[0] == "one" and len(steps) < 3  # progress kept, and it stopped before its end
    assert (await b.client().threads.get(thread_id))["status"] in ("idle", "interrupted")


async def test_multitask_strategies_across_replicas(replicas: Replica) -> None:
    a, b = replicas("a"), replicas("b")
    on_a, on_b = a.client(), b.client()
    thread_id = (await on_a.threads.create())["thread_id"]

    first = await on_a.runs.create(thread_id, "slow", input={"delay": 1.0})
    await checkpointed_steps(on_a, thread_id, 1)
    with pytest.raises(ConflictError):
        await on_b.runs.create(thread_id, "slow", input={"delay": 0.01}, multitask_strategy="reject")

    interrupting = await on_b.runs.create(thread_id, "slow", input={"delay": 0.01}, multitask_strategy="interrupt")
    await on_b.runs.join(thread_id, interrupting["run_id"])
    assert (await on_a.runs.get(thread_id, first["run_id"]))["status"] == "interrupted"
    assert (await on_b.runs.get(thread_id, interrupting["run_id"]))["status"] == "success"

    doomed = await on_a.runs.create(thread_id, "slow", input={"delay": 1.0})
    await checkpointed_steps(on_a, thread_id, 5)  # 1 + 3 from the runs above, 1 from this one
    rolling = await on_b.runs.create(thread_id, "slow", input={"delay": 0.01}, multitask_strategy="rollback")
    result = await on_b.runs.join(thread_id, rolling["run_id"])
    assert result["steps"] == ["one", "one", "two", "three", "one", "two", "three"]  # nothing of `doomed`
    assert doomed["run_id"] not in [r["run_id"] for r in await on_a.runs.list(thread_id)]

    running = await on_a.runs.create(thread_id, "slow", input={"delay": 0.5})
    queued = await on_b.runs.create(thread_id, "slow", input={"delay": 0.01}, multitask_strategy="enqueue")
    last = await on_b.runs.join(thread_id, queued["run_id"])
    assert (await on_b.runs.get(thread_id, running["run_id"]))["status"] == "success"
    assert last["steps"][-6:] == ["one", "two", "three"] * 2
