"""SQLite persistence: a restart keeps threads, runs, events and state; a run left
`running` by a killed process is resumed from its checkpoint; 50 concurrent clients lose
nothing."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from .conftest import REPLY, collect, server_process


async def test_restart_keeps_threads_runs_events_and_state(tmp_path: Path) -> None:
    with server_process(tmp_path) as server:
        server.start()
        client = server.client()
        thread = await client.threads.create(metadata={"who": "restart"})
        tid = thread["thread_id"]
        await client.runs.wait(tid, "steps", input={"topic": "hello"})
        streamed = await collect(client.runs.stream(tid, "steps", input={"topic": "hello"}, stream_mode=["updates"]))
        run_id = streamed[0][1]["run_id"]
        before_state = await client.threads.get_state(tid)
        before_runs = await client.runs.list(tid)
        server.stop()

        server.start()
        client = server.client()
        assert (await client.threads.get(tid))["metadata"]["who"] == "restart"
        assert await client.threads.get_state(tid) == before_state
        after_runs = await client.runs.list(tid)
        assert [(r["run_id"], r["status"]) for r in after_runs] == [(r["run_id"], r["status"]) for r in before_runs]
        assert await collect(client.runs.join_stream(tid, run_id)) == streamed
        # each run of `steps` writes 5 checkpoints: its input, then one per step (start + 3 nodes)
        assert len(await client.threads.get_history(tid, limit=100)) == 2 * 5


async def test_run_left_running_is_resumed_after_kill(tmp_path: Path) -> None:
    with server_process(tmp_path) as server:
        server.start()
        client = server.client()
        tid = (await client.threads.create())["thread_id"]
        run = await client.runs.create(tid, "slow", input={"delay": 1.0})
        queued = await client.runs.create(tid, "slow", input={"delay": 0.01}, multitask_strategy="enqueue")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # wait until step `one` is checkpointed
            state = await client.threads.get_state(tid)
            if state["values"].get("steps"):
                break
            await asyncio.sleep(0.1)
        assert state["values"]["steps"] == ["one"]
        server.stop(kill=True)
        db = sqlite3.connect(tmp_path / "data" / "thinkroom.db")
        assert db.execute("SELECT status FROM runs WHERE run_id = ?", (run["run_id"],)).fetchone() == ("running",)
        db.close()

        server.start()
        client = server.client()
        resumed = await client.runs.join(tid, run["run_id"])
        assert resumed["steps"] == ["one", "two", "three"]  # `one` was not run again
        again = await client.runs.get(tid, run["run_id"])
        assert again["status"] == "success"
        final = await client.runs.join(tid, queued["run_id"])
        assert final["steps"] == ["one", "two", "three"] * 2
        events = await collect(client.runs.join_stream(tid, run["run_id"]))
        assert [d["attempt"] for e, d in events if e == "metadata"] == [1, 2]


async def test_fifty_concurrent_clients_lose_nothing(tmp_path: Path) -> None:
    clients, turns = 50, 2
    with server_process(tmp_path, THINKROOM_MAX_WORKERS="8") as server:
        server.start()
        shared = (await server.client().threads.create(metadata={"kind": "shared"}))["thread_id"]

        async def own_thread(n: int) -> str:
            client = server.client()
            tid = (await client.threads.create(metadata={"kind": "own", "n": n}))["thread_id"]
            for turn in range(turns):
                result = await client.runs.wait(
                    tid, "chat", input={"messages": [{"role": "user", "content": f"turn {turn} from {n}"}]}
                )
                assert result["answer"] == "Noted, next please"
            return tid

        async def on_shared(n: int) -> str:
            client = server.client()
            run = await client.runs.create(
                shared, "chat", input={"messages": [{"role": "user", "content": f"hello from {n}"}]},
                multitask_strategy="enqueue", stream_mode=["values", "messages-tuple"],
            )
            return str(run["run_id"])

        own, shared_runs = await asyncio.gather(
            asyncio.gather(*(own_thread(n) for n in range(clients))),
            asyncio.gather(*(on_shared(n) for n in range(clients))),
        )
        client = server.client()
        for run_id in shared_runs:
            await client.runs.join(shared, run_id)

        for tid in own:
            runs = await client.runs.list(tid, limit=100)
            assert [r["status"] for r in runs] == ["success"] * turns
            assert len((await client.threads.get_state(tid))["values"]["messages"]) == 2 * turns
        shared_state = await client.threads.get_state(shared)
        messages = shared_state["values"]["messages"]
        assert len(messages) == 2 * clients
        assert sum(m["content"] == REPLY for m in messages) == clients
        shared_listing = await client.runs.list(shared, limit=1000)
        assert len(shared_listing) == clients and {r["status"] for r in shared_listing} == {"success"}
        tokens = await collect(client.runs.join_stream(shared, shared_runs[-1]))
        assert sum(1 for e, _ in tokens if e == "messages") == len(REPLY.split())
        server.stop()

    db = sqlite3.connect(tmp_path / "data" / "thinkroom.db")
    assert db.execute("SELECT count(*) FROM runs").fetchone() == (clients * turns + clients,)
    assert db.execute("SELECT count(*) FROM runs WHERE status = 'success'").fetchone() == (clients * turns + clients,)
    runs_without_events = db.execute(
        "SELECT count(*) FROM runs r WHERE NOT EXISTS (SELECT 1 FROM run_events e WHERE e.run_id = r.run_id)"
    ).fetchone()
    assert runs_without_events == (0,)
    gaps = db.execute(
        "SELECT count(*) FROM (SELECT run_id, max(seq) + 1 AS n, count(*) AS c FROM run_events GROUP BY run_id) "
        "WHERE n != c"
    ).fetchone()
    assert gaps == (0,)
    assert db.execute("SELECT count(*) FROM threads").fetchone() == (clients + 1,)
    db.close()
