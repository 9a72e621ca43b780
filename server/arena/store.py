"""The arenas' status, kept true whoever drives the run (server.results.store has the rules)."""

from __future__ import annotations

from typing import Any

from server.db import Database
from server.db.arena import ArenaRepo
from server.db.arena_tables import ArenaRow
from server.results.store import ResultStore
from workflows.arena.schema import ArenaSpec

from .progress import checkpoint_result


class ArenaStore(ResultStore[ArenaRow, ArenaSpec]):
    """ArenaRepo plus the rules that keep each row's status in step with what runs it."""

    noun = "arena"
    unit = "prompt"
    spec_type = ArenaSpec
    repo: ArenaRepo

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.repo = ArenaRepo(db)

    def new_row(self, row_id: str, spec: ArenaSpec, version: str, **fields: Any) -> ArenaRow:
        return ArenaRow(arena_id=row_id, suite=spec.suite or "prompts", thinkroom_version=version,
                        contestants=list(spec.contestants), spec=spec.model_dump(mode="json"), **fields)

    async def checkpoint_result(self, graph: Any, thread_id: str) -> dict[str, Any] | None:
        return await checkpoint_result(graph, thread_id)


__all__ = ["ArenaStore"]
