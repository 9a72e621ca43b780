"""SQLite checkpoints for LangGraph: one saver per process, WAL and a busy timeout.

`InlineSqliteSaver` is LangGraph's own `SqliteSaver` (same tables, same SQL) with async
methods that run its statements inline on the event loop, as LangGraph's `InMemorySaver`
does. A statement on a local WAL file takes about 0.1 ms; `AsyncSqliteSaver` sends each one
to aiosqlite's thread and back, and those hops cost more than the statements: a chat turn
spent 2.9 ms of CPU in the graph with it and 1.6 ms inline (`bench/api.py` has the
end-to-end figures). The server's other SQLite writes are short inline transactions too.

Writes are group-committed: a write inside a running event loop commits at the end of the
current loop iteration, together with every other run's writes of that iteration (a chat
turn made 7 commits of its own). A run's writes are committed before its outcome is recorded
(`commit()`, called by the run executor), so a run marked done always has its final
checkpoint on disk; intermediate checkpoints may trail by one loop iteration, well inside
what `durability="async"` already allows. Without a running loop, writes commit at once.

PostgreSQL: see workflows.checkpoint_postgres; `open_checkpointer_for` picks by THINKROOM_DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata, CheckpointTuple
from langgraph.checkpoint.sqlite import SqliteSaver

BUSY_TIMEOUT_MS = 10_000


class InlineSqliteSaver(SqliteSaver):
    """`SqliteSaver` usable from async graphs: each async method calls its sync twin.

    `alist` reads the whole page before yielding: `SqliteSaver.list` holds the saver's
    (threading) lock while it iterates, and a consumer that awaited between items would then
    block every other run's checkpoint write on the same loop.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__(conn)
        self._commit_due = False

    @contextmanager
    def cursor(self, transaction: bool = True) -> Iterator[sqlite3.Cursor]:
        """`SqliteSaver.cursor`, with a write's commit deferred to the end of the loop iteration."""
        with self.lock:
            self.setup()
            cur = self.conn.cursor()
            try:
                yield cur
            finally:
                cur.close()
        if transaction:
            self._commit_soon()

    def _commit_soon(self) -> None:
        if self._commit_due:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # synchronous use: nothing to group with
            self.commit()
            return
        self._commit_due = True
        loop.call_soon(self.commit)

    def commit(self) -> None:
        """Commit every write made so far (a no-op when there is none)."""
        with self.lock:
            self._commit_due = False
            self.conn.commit()

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self.get_tuple(config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        for item in list(self.list(config, filter=filter, before=before, limit=limit)):
            yield item

    async def aput(
        self, config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return self.put(config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        self.put_writes(config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        self.delete_thread(thread_id)

    async def aget_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, Any]:
        return self.get_delta_channel_history(config=config, channels=channels)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        """A cursor on the saver's connection under its lock, committed on exit: for bulk SQL on its tables."""
        with self.cursor(transaction=False) as cur:
            yield cur
        self.commit()


def connect(path: Path) -> sqlite3.Connection:
    """The checkpoint database's connection: WAL, cheap durable commits, a busy timeout for other processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


@asynccontextmanager
async def open_checkpointer(path: Path) -> AsyncIterator[InlineSqliteSaver]:
    """Open (creating if needed) the checkpoint database at `path`."""
    conn = connect(path)
    try:
        saver = InlineSqliteSaver(conn)
        saver.setup()
        try:
            yield saver
        finally:
            saver.commit()  # grouped writes still waiting for their loop iteration
    finally:
        conn.close()


@asynccontextmanager
async def open_checkpointer_for(database_url: str, checkpoint_path: Path) -> AsyncIterator[Any]:
    """The checkpointer a deployment uses: in its PostgreSQL database when THINKROOM_DATABASE_URL
    names one (checkpoints move with everything else), else SQLite at `checkpoint_path`."""
    if database_url.startswith(("postgresql", "postgres:")):
        from .checkpoint_postgres import open_postgres_checkpointer

        async with open_postgres_checkpointer(database_url, max_connections=4) as pg_saver:
            yield pg_saver
        return
    async with open_checkpointer(checkpoint_path) as saver:
        yield saver
