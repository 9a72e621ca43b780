"""LangGraph's own store, on the deployment's database.

SQLite: `InlineSqliteStore`, LangGraph's `SqliteStore` (same tables, same SQL) whose async
methods run its statements inline, as the checkpointer does (workflows.checkpoint): a
statement on a local WAL file is ~0.1 ms, less than a hop to a thread and back. It has a
file of its own (THINKROOM_STORE_PATH, default `store.db` beside the checkpoints), so a store
write never waits on the checkpointer's grouped commit.

PostgreSQL: LangGraph's `AsyncPostgresStore` on a connection pool, in the same database as
the runs and checkpoints; replicas set its tables up one at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from langgraph.store.base import BaseStore, Op, Result, TTLConfig
from langgraph.store.sqlite import SqliteStore

from agents.settings import Settings

log = logging.getLogger("thinkroom.store")

BUSY_TIMEOUT_MS = 10_000
SWEEP_MINUTES = 5
#: An item put with a `ttl` expires that many minutes after its last write (or read, with refresh_ttl);
#: expired items are deleted every SWEEP_MINUTES.
TTL: TTLConfig = {"refresh_on_read": True, "sweep_interval_minutes": SWEEP_MINUTES}
SETUP_LOCK = 0x6C6773746F  # pg_advisory_lock key for the store's migrations (not the checkpoints')


class InlineSqliteStore(SqliteStore):
    """`SqliteStore` usable from async code: `abatch` runs the batch inline on the caller's loop."""

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        return self.batch(ops)


def store_path(settings: Settings) -> Path:
    """Where the SQLite store lives: THINKROOM_STORE_PATH, else `store.db` beside the checkpoints."""
    return settings.store_path or settings.checkpoint_path.with_name("store.db")


def connect(path: Path) -> sqlite3.Connection:
    """Autocommit (the store issues its own BEGIN/COMMIT), WAL and a busy timeout for other processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


async def sweep_forever(store: InlineSqliteStore, interval_s: float) -> None:
    """Delete expired items now and then (inline: one indexed DELETE)."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            store.sweep_ttl()
        except sqlite3.Error as exc:  # a busy file: the next sweep catches up
            log.warning("store TTL sweep failed: %s", exc)


@asynccontextmanager
async def open_sqlite_store(path: Path) -> AsyncIterator[InlineSqliteStore]:
    conn = connect(path)
    try:
        store = InlineSqliteStore(conn, ttl=TTL)
        store.setup()
        sweeper = asyncio.create_task(sweep_forever(store, SWEEP_MINUTES * 60))
        try:
            yield store
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
    finally:
        conn.close()


@asynccontextmanager
async def open_postgres_store(url: str, max_connections: int = 4) -> AsyncIterator[BaseStore]:
    from langgraph.store.postgres import AsyncPostgresStore

    from workflows.checkpoint_postgres import one_replica_at_a_time, open_pool, postgres_conninfo

    conninfo = postgres_conninfo(url)

    async def setup() -> None:
        async with AsyncPostgresStore.from_conn_string(conninfo) as tables:
            await tables.setup()

    await one_replica_at_a_time(conninfo, SETUP_LOCK, setup)
    pool = await open_pool(conninfo, max_connections)
    store = AsyncPostgresStore(pool, ttl=TTL)
    await store.start_ttl_sweeper()
    try:
        yield store
    finally:
        await store.stop_ttl_sweeper()
        if store._task is not None:  # its batching task would otherwise outlive the pool
            store._task.cancel()
        await pool.close()


@asynccontextmanager
async def open_store(settings: Settings) -> AsyncIterator[BaseStore]:
    """The store for THINKROOM_DATABASE_URL: in its PostgreSQL database, else a SQLite file."""
    if settings.database_url.startswith(("postgresql", "postgres:")):
        async with open_postgres_store(settings.database_url) as pg_store:
            yield pg_store
        return
    async with open_sqlite_store(store_path(settings)) as store:
        yield store
