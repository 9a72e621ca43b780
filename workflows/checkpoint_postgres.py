"""PostgreSQL checkpoints for LangGraph, for several replicas on one database.

LangGraph's `AsyncPostgresSaver` (its tables, its own schema migrations) on a psycopg
connection pool, not the sync `PostgresSaver`: a statement there is a round trip to another
process, and a sync saver would hold the event loop (every run, every request) for each one,
while the async one lets other runs work during the wait. (SQLite's saver runs inline because
a statement on a local WAL file is ~0.1 ms of work with nothing to wait for.)

`PooledPostgresSaver` drops the saver's process-wide asyncio lock, which exists to share one
connection: with a pool each operation has a connection of its own, so concurrent runs'
checkpoints are written concurrently instead of one at a time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.engine import make_url

SETUP_LOCK = 0x6C67636B70  # pg_advisory_lock key: replicas set the checkpoint tables up one at a time


class _NoLock:
    """An async context manager that does nothing."""

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *_: object) -> None:
        return None


class PooledPostgresSaver(AsyncPostgresSaver):
    """`AsyncPostgresSaver` on a pool, without the lock that serialises every operation."""

    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        super().__init__(pool)
        self.lock = _NoLock()  # type: ignore[assignment]
        self.pool = pool


def postgres_conninfo(url: str) -> str:
    """A libpq connection string from an SQLAlchemy URL (`postgresql+psycopg://...`)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def one_replica_at_a_time(conninfo: str, lock: int, setup: Callable[[], Awaitable[None]]) -> None:
    """Run `setup` (create or migrate tables) under a PostgreSQL advisory lock, so replicas take turns."""
    async with await AsyncConnection.connect(conninfo, autocommit=True) as locker:
        await locker.execute("SELECT pg_advisory_lock(%s)", (lock,))
        try:
            await setup()
        finally:
            await locker.execute("SELECT pg_advisory_unlock(%s)", (lock,))


async def setup_tables(conninfo: str) -> None:
    """Create or migrate LangGraph's checkpoint tables, one replica at a time."""

    async def setup() -> None:
        async with AsyncPostgresSaver.from_conn_string(conninfo) as saver:
            await saver.setup()

    await one_replica_at_a_time(conninfo, SETUP_LOCK, setup)


async def open_pool(conninfo: str, max_connections: int) -> AsyncConnectionPool[Any]:
    """An open pool of autocommit connections with dict rows, as LangGraph's Postgres savers and stores want."""
    kwargs = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        conninfo, min_size=1, max_size=max_connections, kwargs=kwargs, open=False
    )
    await pool.open(wait=True)
    return pool


@asynccontextmanager
async def open_postgres_checkpointer(url: str, max_connections: int = 10) -> AsyncIterator[PooledPostgresSaver]:
    """A `PooledPostgresSaver` for the database at `url`, its tables set up."""
    conninfo = postgres_conninfo(url)
    await setup_tables(conninfo)
    pool = await open_pool(conninfo, max_connections)
    try:
        yield PooledPostgresSaver(pool)
    finally:
        await pool.close()
