"""The checkpoint operations LangGraph's saver lacks (copy a thread, delete what one run wrote,
for rollback; find a run's checkpoints, for resuming it), on PostgreSQL's checkpoint tables.

The SQLite twin is server.runs.state.CheckpointOps; both have the same methods.
"""

from __future__ import annotations

from workflows.checkpoint_postgres import PooledPostgresSaver

COPY = (
    "INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, "
    "metadata) SELECT %(target)s, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata "
    "FROM checkpoints WHERE thread_id = %(source)s ON CONFLICT DO NOTHING",
    "INSERT INTO checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob) "
    "SELECT %(target)s, checkpoint_ns, channel, version, type, blob FROM checkpoint_blobs "
    "WHERE thread_id = %(source)s ON CONFLICT DO NOTHING",
    "INSERT INTO checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob, "
    "task_path) SELECT %(target)s, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob, task_path "
    "FROM checkpoint_writes WHERE thread_id = %(source)s ON CONFLICT DO NOTHING",
)
OF_RUN = "thread_id = %(thread_id)s AND metadata ->> 'run_id' = %(run_id)s"
DELETE_RUN = (
    f"DELETE FROM checkpoint_writes WHERE thread_id = %(thread_id)s AND checkpoint_id IN "
    f"(SELECT checkpoint_id FROM checkpoints WHERE {OF_RUN})",
    f"DELETE FROM checkpoints WHERE {OF_RUN}",
)
# channel values no remaining checkpoint of the thread refers to (blobs are shared between checkpoints)
DELETE_ORPHAN_BLOBS = (
    "DELETE FROM checkpoint_blobs b WHERE b.thread_id = %(thread_id)s AND NOT EXISTS ("
    "SELECT 1 FROM checkpoints c, jsonb_each_text(c.checkpoint -> 'channel_versions') v "
    "WHERE c.thread_id = b.thread_id AND c.checkpoint_ns = b.checkpoint_ns AND v.key = b.channel "
    "AND v.value = b.version)"
)
HAS_RUN = f"SELECT 1 FROM checkpoints WHERE {OF_RUN} LIMIT 1"


class PostgresCheckpointOps:
    """Bulk SQL on the checkpoint tables, each operation one transaction on a pooled connection."""

    def __init__(self, saver: PooledPostgresSaver) -> None:
        self.saver = saver

    async def copy_thread(self, source: str, target: str) -> None:
        async with self.saver.pool.connection() as conn, conn.transaction():
            for statement in COPY:
                await conn.execute(statement, {"source": source, "target": target})

    async def delete_run(self, thread_id: str, run_id: str) -> int:
        """Remove every checkpoint (with its writes and now-unused values) that `run_id` created."""
        params = {"thread_id": thread_id, "run_id": run_id}
        async with self.saver.pool.connection() as conn, conn.transaction():
            await conn.execute(DELETE_RUN[0], params)
            deleted = (await conn.execute(DELETE_RUN[1], params)).rowcount
            await conn.execute(DELETE_ORPHAN_BLOBS, params)
        return int(deleted)

    async def has_run_checkpoint(self, thread_id: str, run_id: str) -> bool:
        async with self.saver.pool.connection() as conn:
            cursor = await conn.execute(HAS_RUN, {"thread_id": thread_id, "run_id": run_id})
            return await cursor.fetchone() is not None

    async def delete_thread(self, thread_id: str) -> None:
        await self.saver.adelete_thread(thread_id)

    def commit(self) -> None:
        """Nothing to do: every write is committed when the saver makes it."""
