"""The worker pool: a run that can start at once is stored as running when created; others
wait in order for a slot, and a cancelled waiter gives nothing away (no slot leaks)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from .conftest import server_process


async def test_one_slot_runs_in_order_and_cancelling_a_waiter_leaks_nothing(tmp_path: Path) -> None:
    with server_process(tmp_path, THINKROOM_MAX_WORKERS="1") as server:
        server.start()
        client = server.client()
        threads = [(await client.threads.create())["thread_id"] for _ in range(4)]

        first = await client.runs.create(threads[0], "slow", input={"delay": 0.3})
        # no separate "running" write: the row is inserted as running, with its slot taken
        assert (await client.runs.get(threads[0], first["run_id"]))["status"] == "running"

        second = await client.runs.create(threads[1], "slow", input={"delay": 0.05})
        third = await client.runs.create(threads[2], "slow", input={"delay": 0.05})
        assert (await client.runs.get(threads[1], second["run_id"]))["status"] == "pending"
        assert (await client.runs.get(threads[2], third["run_id"]))["status"] == "pending"

        await client.runs.cancel(threads[2], third["run_id"], wait=True)  # cancelled while waiting for the slot
        assert (await client.runs.get(threads[2], third["run_id"]))["status"] == "interrupted"

        await client.runs.join(threads[0], first["run_id"])
        assert (await client.runs.join(threads[1], second["run_id"]))["steps"] == ["one", "two", "three"]

        # the one slot is free again: a new run starts at once and finishes
        fourth = await client.runs.create(threads[3], "slow", input={"delay": 0.01})
        assert (await client.runs.get(threads[3], fourth["run_id"]))["status"] == "running"
        result = await asyncio.wait_for(client.runs.join(threads[3], fourth["run_id"]), 30)
        assert result["steps"] == ["one", "two", "three"]
        runs = zip(threads, (first, second, third, fourth), strict=True)
        statuses = [(await client.runs.get(t, r["run_id"]))["status"] for t, r in runs]
        assert statuses == ["success", "success", "interrupted", "success"]
