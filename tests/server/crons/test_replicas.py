"""Two `thinkroom serve` replicas on one PostgreSQL database both run the cron scheduler; each
slot of a cron fires exactly one run between them."""

from __future__ import annotations

import re
from pathlib import Path

from tests.postgres import PostgresServer
from tests.server.agent_protocol.conftest import ServerProcess

from .test_crons_api import EVERY_SECOND, TICK, TOPIC, finished_runs, until

FIRED = re.compile(r"cron (\S+): slot (\S+) fired run (\S+)")


def fired_in(directory: Path, cron_id: str) -> list[tuple[str, str]]:
    """(slot, run_id) of each firing of `cron_id` that a replica's log records."""
    found = []
    for log in directory.glob("server-*.log"):
        for match in FIRED.finditer(log.read_text()):
            if match.group(1) == cron_id:
                found.append((match.group(2), match.group(3)))
    return found


async def test_two_replicas_fire_each_slot_once(tmp_path: Path, postgres: PostgresServer) -> None:
    url = postgres.database()
    dirs = [tmp_path / "a", tmp_path / "b"]
    replicas = []
    try:
        for directory in dirs:
            directory.mkdir()
            replica = ServerProcess(directory, THINKROOM_DATABASE_URL=url, THINKROOM_RUN_LEASE_S="3", **TICK)
            replica.start()
            replicas.append(replica)
        client = replicas[0].client()
        thread_id = (await client.threads.create())["thread_id"]
        cron = await client.crons.create_for_thread(thread_id, "steps", schedule=EVERY_SECOND, input=TOPIC)
        # both replicas see the cron (one database); wait for enough slots that both had chances to fire
        await until(lambda: finished_runs(client, thread_id, 6), "six runs of the cron", limit_s=120)
        await replicas[1].client().crons.delete(cron["cron_id"])
        runs = await client.runs.list(thread_id, limit=1000)
    finally:
        for replica in replicas:
            replica.stop()

    slots = [run["metadata"]["cron_slot"] for run in runs]
    assert len(slots) >= 6 and len(set(slots)) == len(slots)  # no slot fired twice
    firings = [fired_in(directory, cron["cron_id"]) for directory in dirs]
    logged = [slot for replica_firings in firings for slot, _ in replica_firings]
    assert sorted(logged) == sorted(slots)  # every run is one logged firing, by one replica
    assert {run_id for f in firings for _, run_id in f} == {run["run_id"] for run in runs}
