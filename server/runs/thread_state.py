"""Reading and writing a thread's checkpointed state: get_state, history, update_state, copy.

The graph a thread belongs to is recorded in its metadata (`graph_id`) by its first run;
a thread that has never run has the empty state.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from langgraph.pregel import Pregel

from server.db.models import ThreadRow
from server.errors import ApiError

from .serde import jsonable
from .state import checkpoint_ref, empty_state, snapshot_json, thread_config

if TYPE_CHECKING:
    from .manager import RunManager


class ThreadStateService:
    def __init__(self, manager: RunManager) -> None:
        self.manager = manager

    def thread(self, thread_id: str) -> ThreadRow:
        row = self.manager.threads.get(thread_id)
        if row is None:
            raise ApiError(404, "not_found", f"thread {thread_id!r} not found")
        return row

    def graph_for(self, row: ThreadRow) -> Pregel[Any, Any, Any, Any] | None:
        graph_id = (row.meta or {}).get("graph_id")
        if not graph_id or not self.manager.graphs.has(graph_id):
            return None
        return self.manager.graphs.get(graph_id)

    async def get_state(self, thread_id: str, checkpoint: dict[str, Any] | None = None) -> dict[str, Any]:
        row = self.thread(thread_id)
        graph = self.graph_for(row)
        if graph is None:
            return empty_state(thread_id)
        snapshot = await graph.aget_state(thread_config(thread_id, checkpoint))
        if checkpoint and checkpoint.get("checkpoint_id") and not snapshot.values and snapshot.created_at is None:
            raise ApiError(404, "not_found", f"checkpoint {checkpoint['checkpoint_id']!r} not found")
        return snapshot_json(snapshot)

    async def history(
        self, thread_id: str, *, limit: int, before: Any = None, metadata: dict[str, Any] | None = None,
        checkpoint: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        row = self.thread(thread_id)
        graph = self.graph_for(row)
        if graph is None:
            return []
        if isinstance(before, str):
            before = {"checkpoint_id": before}
        before_config = thread_config(thread_id, before) if before else None
        states = []
        async for snapshot in graph.aget_state_history(
            thread_config(thread_id, checkpoint), filter=metadata or None, before=before_config, limit=limit
        ):
            states.append(snapshot_json(snapshot))
        return states

    async def update_state(
        self, thread_id: str, values: Any, *, as_node: str | None, checkpoint: dict[str, Any] | None
    ) -> dict[str, Any]:
        row = self.thread(thread_id)
        if await self.manager.thread_has_active(thread_id):
            raise ApiError(409, "conflict", f"thread {thread_id!r} has a run in progress")
        graph = self.graph_for(row)
        if graph is None:
            graph_id = (row.meta or {}).get("graph_id")
            raise ApiError(
                409, "conflict",
                f"thread {thread_id!r} has no graph yet (run it once, or create it with metadata.graph_id)"
                if not graph_id else f"graph {graph_id!r} is not loaded",
            )
        try:
            config = await graph.aupdate_state(thread_config(thread_id, checkpoint), values, as_node=as_node)
        except (ValueError, KeyError) as exc:
            raise ApiError(422, "invalid_input", f"cannot update state: {exc}") from None
        await self.manager.refresh_thread(thread_id)
        return {"checkpoint": checkpoint_ref(dict(config))}

    async def copy(self, thread_id: str) -> ThreadRow:
        row = self.thread(thread_id)
        new_id = str(uuid.uuid4())
        copy = self.manager.threads.create(new_id, dict(row.meta or {}))
        await self.manager.checkpoints.copy_thread(thread_id, new_id)
        self.manager.threads.update(
            new_id, status="interrupted" if row.status == "interrupted" else "idle",
            values=jsonable(row.values), interrupts=row.interrupts or {},
        )
        return self.manager.threads.get(new_id) or copy

    async def delete(self, thread_id: str) -> None:
        self.thread(thread_id)
        await self.manager.cancel_thread(thread_id)
        self.manager.threads.delete(thread_id)
        await self.manager.checkpoints.delete_thread(thread_id)
