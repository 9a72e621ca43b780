"""Thread state in LangGraph Server's JSON shape, and checkpoint operations the saver lacks
(copying a thread, deleting the checkpoints one run wrote, for rollback)."""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import StateSnapshot

from workflows.checkpoint import InlineSqliteSaver

from .serde import jsonable


def thread_config(thread_id: str, checkpoint: dict[str, Any] | None = None) -> RunnableConfig:
    """A config naming the thread (and optionally one checkpoint of it)."""
    configurable: dict[str, Any] = {"thread_id": thread_id}
    for key in ("checkpoint_id", "checkpoint_ns"):
        if checkpoint and checkpoint.get(key):
            configurable[key] = checkpoint[key]
    if "checkpoint_id" in configurable:  # LangGraph's update_state on a past checkpoint reads its namespace
        configurable.setdefault("checkpoint_ns", "")
    return {"configurable": configurable}


def checkpoint_ref(config: dict[str, Any] | None) -> dict[str, Any] | None:
    if not config:
        return None
    conf = config.get("configurable", {})
    return {
        "thread_id": conf.get("thread_id"),
        "checkpoint_ns": conf.get("checkpoint_ns", ""),
        "checkpoint_id": conf.get("checkpoint_id"),
        "checkpoint_map": conf.get("checkpoint_map"),
    }


def interrupt_json(item: Any) -> dict[str, Any]:
    return {"value": jsonable(getattr(item, "value", item)), "id": str(getattr(item, "id", ""))}


def snapshot_json(snapshot: StateSnapshot) -> dict[str, Any]:
    tasks = [
        {
            "id": task.id,
            "name": task.name,
            "error": None if task.error is None else f"{type(task.error).__name__}: {task.error}",
            "interrupts": [interrupt_json(i) for i in task.interrupts],
            "checkpoint": None,
            "state": None,
            "result": jsonable(task.result),
        }
        for task in snapshot.tasks
    ]
    return {
        "values": jsonable(snapshot.values),
        "next": list(snapshot.next),
        "checkpoint": checkpoint_ref(dict(snapshot.config)),
        "metadata": jsonable(snapshot.metadata) or {},
        "created_at": snapshot.created_at,
        "parent_checkpoint": checkpoint_ref(dict(snapshot.parent_config) if snapshot.parent_config else None),
        "tasks": tasks,
        "interrupts": [interrupt_json(i) for i in snapshot.interrupts],
    }


def empty_state(thread_id: str) -> dict[str, Any]:
    """A thread that has never run: what LangGraph Server answers too."""
    return {
        "values": {}, "next": [], "tasks": [], "metadata": {}, "created_at": None, "parent_checkpoint": None,
        "checkpoint": {"thread_id": thread_id, "checkpoint_ns": "", "checkpoint_id": None, "checkpoint_map": None},
        "interrupts": [],
    }


def interrupts_by_task(snapshot: StateSnapshot) -> dict[str, list[dict[str, Any]]]:
    return {task.id: [interrupt_json(i) for i in task.interrupts] for task in snapshot.tasks if task.interrupts}


class CheckpointOps:
    """Bulk SQL on the saver's own tables, in one transaction under the saver's lock."""

    def __init__(self, saver: InlineSqliteSaver) -> None:
        self.saver = saver

    async def copy_thread(self, source: str, target: str) -> None:
        with self.saver.transaction() as cur:
            for table, columns in (
                ("checkpoints", "checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata"),
                ("writes", "checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value"),
            ):
                cur.execute(
                    f"INSERT OR REPLACE INTO {table} (thread_id, {columns}) SELECT ?, {columns} FROM {table} "
                    "WHERE thread_id = ?",
                    (target, source),
                )

    async def delete_run(self, thread_id: str, run_id: str) -> int:
        """Remove every checkpoint (and its writes) that `run_id` created: a rollback."""
        where = "thread_id = ? AND json_extract(CAST(metadata AS TEXT), '$.run_id') = ?"
        with self.saver.transaction() as cur:
            cur.execute(
                f"DELETE FROM writes WHERE thread_id = ? AND checkpoint_id IN "
                f"(SELECT checkpoint_id FROM checkpoints WHERE {where})",
                (thread_id, thread_id, run_id),
            )
            cur.execute(f"DELETE FROM checkpoints WHERE {where}", (thread_id, run_id))
            return int(cur.rowcount)

    async def has_run_checkpoint(self, thread_id: str, run_id: str) -> bool:
        with self.saver.cursor(transaction=False) as cur:
            cur.execute(
                "SELECT 1 FROM checkpoints WHERE thread_id = ? AND "
                "json_extract(CAST(metadata AS TEXT), '$.run_id') = ? LIMIT 1",
                (thread_id, run_id),
            )
            return cur.fetchone() is not None

    async def delete_thread(self, thread_id: str) -> None:
        await self.saver.adelete_thread(thread_id)

    def commit(self) -> None:
        """Commit the saver's grouped writes now."""
        self.saver.commit()
