"""Several `thinkroom serve` replicas (real subprocesses, scripted backend, the agent-protocol
test graphs) on one throwaway PostgreSQL database."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.postgres import PostgresServer
from tests.server.agent_protocol.conftest import ServerProcess

LEASE_S = "2"  # a killed replica's runs are taken over within ~2 s


class Replicas:
    """`replicas("a")` starts a replica (same database, its own directory and replica id)."""

    def __init__(self, url: str, directory: Path) -> None:
        self.url = url
        self.directory = directory
        self.started: list[ServerProcess] = []

    def __call__(self, name: str, **env: str) -> ServerProcess:
        directory = self.directory / name
        directory.mkdir(exist_ok=True)
        server = ServerProcess(
            directory, THINKROOM_DATABASE_URL=self.url, THINKROOM_RUN_LEASE_S=LEASE_S, THINKROOM_REPLICA_ID=name,
            THINKROOM_QUEUE_POLL_S="0.5", **env,
        )
        server.start()
        self.started.append(server)
        deadline = time.monotonic() + 60
        while not httpx.get(f"{server.url}/health", timeout=5).json()["ready"]:  # warm-up done: routes mounted
            if time.monotonic() > deadline:
                raise TimeoutError(f"replica {name} did not finish warming up")
            time.sleep(0.05)
        return server

    def held_by(self, name: str) -> int:
        """How many runs replica `name` holds and has started (read from the queue table)."""
        with psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            row = conn.execute(
                "SELECT count(*) FROM run_queue q JOIN runs r ON r.run_id = q.run_id "
                "WHERE q.owner = %s AND r.status = 'running'", (name,),
            ).fetchone()
        return int(row[0]) if row else 0


@pytest.fixture
def replicas(postgres: PostgresServer, tmp_path: Path) -> Iterator[Replicas]:
    cluster = Replicas(postgres.database(), tmp_path)
    try:
        yield cluster
    finally:
        for server in cluster.started:
            server.stop()
