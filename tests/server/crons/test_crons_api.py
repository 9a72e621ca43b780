"""Crons through the official langgraph-sdk client against a real `thinkroom serve`, on SQLite
and on PostgreSQL: a cron fires ordinary runs (on its thread, or on a thread of their own),
keeps firing after a restart, is listed, counted, changed and deleted, and a bad schedule
is a 422 naming the field.

Schedules use croniter's sixth (seconds) field and the scheduler ticks every 0.2 s
(THINKROOM_CRON_TICK_S), so nothing waits for a minute; waits are for an event, with a
generous limit that only a hung server reaches."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

from tests.server.agent_protocol.conftest import REPLY, ServerProcess, database_env

T = TypeVar("T")
EVERY_SECOND = "* * * * * *"
NEVER_SOON = "0 0 1 1 *"  # midnight on January 1st: does not fire during a test
TICK = {"THINKROOM_CRON_TICK_S": "0.2"}
TOPIC = {"topic": "hello"}


async def until(probe: Callable[[], Awaitable[T | None]], what: str, limit_s: float = 60) -> T:
    """Poll `probe` until it returns something truthy (a hung server fails after `limit_s`)."""
    deadline = time.monotonic() + limit_s
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(0.1)


async def finished_runs(client: LangGraphClient, thread_id: str, at_least: int) -> list[dict[str, Any]] | None:
    runs = await client.runs.list(thread_id, limit=1000)
    done = [r for r in runs if r["status"] == "success"]
    return done if len(done) >= at_least else None


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest, database: str
) -> Iterator[ServerProcess]:
    directory = tmp_path_factory.mktemp(f"crons-{database}")
    process = ServerProcess(directory, **TICK, **database_env(request, database))
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def client(server: ServerProcess) -> LangGraphClient:
    return server.client()


async def test_thread_cron_fires_runs_on_its_thread_until_deleted(client: LangGraphClient) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    cron = await client.crons.create_for_thread(
        thread_id, "steps", schedule=EVERY_SECOND, input=TOPIC, metadata={"who": "thread-cron"}
    )
    assert cron["thread_id"] == thread_id and cron["schedule"] == EVERY_SECOND and cron["enabled"] is True
    assert cron["payload"]["input"] == TOPIC and cron["metadata"] == {"who": "thread-cron"}
    assert cron["next_run_date"] is not None

    runs = await until(lambda: finished_runs(client, thread_id, 2), "two runs of the cron")
    for run in runs:
        assert run["metadata"]["cron_id"] == cron["cron_id"] and run["metadata"]["who"] == "thread-cron"
    slots = [run["metadata"]["cron_slot"] for run in runs]
    assert len(set(slots)) == len(slots)
    state = await client.threads.get_state(thread_id)
    assert state["values"]["draft"] == REPLY and state["values"]["steps"][:3] == ["draft", "review", "publish"]

    await client.crons.delete(cron["cron_id"])
    assert await client.crons.search(thread_id=thread_id) == []
    fired = len(await client.runs.list(thread_id, limit=1000))

    # a second cron firing twice proves the scheduler made passes after the delete
    other = (await client.threads.create())["thread_id"]
    second = await client.crons.create_for_thread(other, "steps", schedule=EVERY_SECOND, input=TOPIC)
    await until(lambda: finished_runs(client, other, 2), "two runs of the second cron")
    await client.crons.delete(second["cron_id"])
    assert len(await client.runs.list(thread_id, limit=1000)) == fired


async def test_a_disabled_cron_does_not_fire_and_end_time_stops_one(client: LangGraphClient) -> None:
    idle, ending = [(await client.threads.create())["thread_id"] for _ in range(2)]
    disabled = await client.crons.create_for_thread(idle, "steps", schedule=EVERY_SECOND, input=TOPIC, enabled=False)
    end = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    ends = await client.crons.create_for_thread(ending, "steps", schedule=EVERY_SECOND, input=TOPIC, end_time=end)

    async def over() -> dict[str, Any] | None:
        (row,) = await client.crons.search(thread_id=ending)
        return row if row["next_run_date"] is None else None

    await until(over, "the cron to pass its end time")
    runs = await until(lambda: finished_runs(client, ending, 1), "a run before the end time")
    assert all(datetime.fromisoformat(r["metadata"]["cron_slot"]) <= end for r in runs)
    assert await client.runs.list(idle) == []  # every pass that fired `ending` skipped `disabled`
    for cron in (disabled, ends):
        await client.crons.delete(cron["cron_id"])


async def test_stateless_cron_runs_on_a_new_thread_each_time(client: LangGraphClient) -> None:
    cron = await client.crons.create(
        "steps", schedule=EVERY_SECOND, input=TOPIC, on_run_completed="keep", metadata={"who": "stateless"}
    )
    assert cron["thread_id"] is None and cron["on_run_completed"] == "keep"

    async def cron_threads() -> list[str] | None:
        found = []
        for thread in await client.threads.search(metadata={"assistant_id": cron["assistant_id"]}, limit=1000):
            runs = await client.runs.list(thread["thread_id"])
            if any(r["metadata"].get("cron_id") == cron["cron_id"] and r["status"] == "success" for r in runs):
                found.append(thread["thread_id"])
        return found if len(found) >= 2 else None

    threads = await until(cron_threads, "two kept threads of the stateless cron")
    await client.crons.delete(cron["cron_id"])
    assert len(set(threads)) == len(threads)  # one thread per firing
    for thread_id in threads:
        assert (await client.threads.get_state(thread_id))["values"]["draft"] == REPLY


async def test_search_count_update_and_delete(client: LangGraphClient) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    on_thread = await client.crons.create_for_thread(
        thread_id, "steps", schedule=NEVER_SOON, input=TOPIC, metadata={"team": "a", "n": 1}
    )
    stateless = await client.crons.create(
        "steps", schedule="30 6 * * 1", input=TOPIC, metadata={"team": "b"}, timezone="Europe/Paris"
    )
    assert stateless["timezone"] == "Europe/Paris"
    # Monday 06:30 in Paris is 05:30 or 04:30 UTC, depending on daylight saving time
    next_run = datetime.fromisoformat(stateless["next_run_date"])
    assert next_run.weekday() == 0 and (next_run.hour, next_run.minute) in ((5, 30), (4, 30))

    assert [c["cron_id"] for c in await client.crons.search(metadata={"team": "a"})] == [on_thread["cron_id"]]
    assert [c["cron_id"] for c in await client.crons.search(thread_id=thread_id)] == [on_thread["cron_id"]]
    by_graph = {c["cron_id"] for c in await client.crons.search(assistant_id="steps", limit=100)}
    assert {on_thread["cron_id"], stateless["cron_id"]} <= by_graph
    assert await client.crons.count(metadata={"team": "b"}) == 1
    assert await client.crons.count(thread_id=thread_id) == 1
    picked = await client.crons.search(metadata={"team": "a"}, select=["cron_id", "schedule"])
    assert picked == [{"cron_id": on_thread["cron_id"], "schedule": NEVER_SOON}]
    ours = await client.crons.search(metadata={"n": 1}, sort_by="next_run_date", sort_order="asc")
    assert [c["cron_id"] for c in ours] == [on_thread["cron_id"]]

    changed = await client.crons.update(stateless["cron_id"], schedule="15 7 * * *", enabled=False)
    assert changed["schedule"] == "15 7 * * *" and changed["enabled"] is False
    assert changed["next_run_date"] != stateless["next_run_date"]
    assert await client.crons.search(metadata={"team": "b"}, enabled=True) == []
    assert [c["cron_id"] for c in await client.crons.search(metadata={"team": "b"}, enabled=False)] == [
        stateless["cron_id"]
    ]
    end = datetime.fromisoformat(changed["next_run_date"]) - timedelta(seconds=1)  # just before the next slot
    ended = await client.crons.update(stateless["cron_id"], end_time=end)
    assert ended["next_run_date"] is None and datetime.fromisoformat(ended["end_time"]) == end
    reopened = await client.crons.update(stateless["cron_id"], end_time=None)
    assert reopened["end_time"] is None and reopened["next_run_date"] == changed["next_run_date"]

    for cron in (on_thread, stateless):
        await client.crons.delete(cron["cron_id"])
    assert await client.crons.count(thread_id=thread_id) == 0
    with pytest.raises(httpx.HTTPStatusError) as missing:
        await client.crons.delete(stateless["cron_id"])
    assert missing.value.response.status_code == 404


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"schedule": "every minute"}, "schedule"),
        ({"schedule": "61 * * * *"}, "schedule"),
        ({"schedule": "0 0 30 2 *"}, "schedule"),  # February 30th never comes
        ({"schedule": NEVER_SOON, "timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"schedule": NEVER_SOON, "context": {"no_such_key": 1}}, "context.no_such_key"),
        ({"schedule": NEVER_SOON, "interrupt_before": ["nowhere"]}, "interrupt_before"),
    ],
)
async def test_bad_cron_is_a_422_naming_the_field(client: LangGraphClient, kwargs: dict[str, Any], field: str) -> None:
    before = await client.crons.count()
    with pytest.raises(httpx.HTTPStatusError) as caught:
        await client.crons.create("steps", input=TOPIC, **kwargs)
    assert caught.value.response.status_code == 422
    error = caught.value.response.json()["error"]
    assert [f["field"] for f in error["fields"]] == [field]
    assert await client.crons.count() == before


async def test_cron_for_a_missing_thread_or_assistant_is_a_404(client: LangGraphClient) -> None:
    with pytest.raises(httpx.HTTPStatusError) as no_thread:
        await client.crons.create_for_thread("no-such-thread", "steps", schedule=NEVER_SOON, input=TOPIC)
    with pytest.raises(httpx.HTTPStatusError) as no_assistant:
        await client.crons.create("no-such-assistant", schedule=NEVER_SOON, input=TOPIC)
    assert no_thread.value.response.status_code == no_assistant.value.response.status_code == 404
    assert "no-such-thread" in no_thread.value.response.json()["error"]["message"]


async def test_deleting_a_thread_deletes_its_crons(client: LangGraphClient) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    kept = (await client.threads.create())["thread_id"]
    cron = await client.crons.create_for_thread(thread_id, "steps", schedule=NEVER_SOON, input=TOPIC)
    other = await client.crons.create_for_thread(kept, "steps", schedule=NEVER_SOON, input=TOPIC)
    await client.threads.delete(thread_id)
    assert await client.crons.search(thread_id=thread_id) == []
    with pytest.raises(httpx.HTTPStatusError) as gone:
        await client.crons.delete(cron["cron_id"])
    assert gone.value.response.status_code == 404
    assert [c["cron_id"] for c in await client.crons.search(thread_id=kept)] == [other["cron_id"]]
    await client.crons.delete(other["cron_id"])


async def test_an_integer_json_cannot_store_is_a_422(server: ServerProcess) -> None:
    body = b'{"assistant_id": "steps", "schedule": "0 0 1 1 *", "input": {"topic": "hello"}, ' \
           b'"metadata": {"n": 158763649000000000000000}}'
    async with httpx.AsyncClient(base_url=server.url) as http:
        response = await http.post("/runs/crons", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 422 and "64-bit" in response.json()["error"]["message"]
        assert (await http.post("/runs/crons/count", json={"metadata": {"n": 1}})).json() == 0


async def test_cron_keeps_firing_after_a_restart(
    tmp_path: Path, request: pytest.FixtureRequest, database: str
) -> None:
    process = ServerProcess(tmp_path, **TICK, **database_env(request, database))
    try:
        process.start()
        client = process.client()
        thread_id = (await client.threads.create())["thread_id"]
        cron = await client.crons.create_for_thread(thread_id, "steps", schedule=EVERY_SECOND, input=TOPIC)
        await until(lambda: finished_runs(client, thread_id, 1), "a run before the restart")
        process.stop()

        process.start()
        client = process.client()
        assert [c["cron_id"] for c in await client.crons.search(thread_id=thread_id)] == [cron["cron_id"]]
        before = {r["run_id"] for r in await client.runs.list(thread_id, limit=1000)}

        async def new_run() -> list[dict[str, Any]] | None:
            runs = await client.runs.list(thread_id, limit=1000)
            fresh = [r for r in runs if r["run_id"] not in before and r["status"] == "success"]
            return fresh or None

        fresh = await until(new_run, "a run fired by the restarted server")
        assert fresh[0]["metadata"]["cron_id"] == cron["cron_id"]
        await client.crons.delete(cron["cron_id"])
    finally:
        process.stop()
