"""The arenas' status, kept true whoever drives the run: the API's run manager or a CLI process.

As with evaluations (server.evals.store, whose rules this follows): a row is written when an
arena starts and when it ends; in between `settle` reads the truth from the arena's run row
(API) or whether its process is alive (CLI), and `current` reads a running or stopped
arena's finished prompts from its checkpoint, storing them once it has stopped.
"""

from __future__ import annotations

import os
from typing import Any

from server.db import Database
from server.db.arena import ArenaRepo
from server.db.arena_tables import ArenaRow
from server.db.runs import RunRepo
from server.evals.store import RUN_STATUS, process_alive
from workflows.arena.schema import ArenaSpec

from .progress import checkpoint_result


def resume_hint(row: ArenaRow) -> str:
    if row.source == "cli":
        return f"thinkroom arena run --resume {row.arena_id}"
    return f"POST /api/arenas/{row.arena_id}/resume"


def new_row(arena_id: str, spec: ArenaSpec, version: str, **fields: Any) -> ArenaRow:
    return ArenaRow(arena_id=arena_id, suite=spec.suite or "prompts", thinkroom_version=version,
                    contestants=list(spec.contestants), spec=spec.model_dump(mode="json"), **fields)


class ArenaStore:
    """ArenaRepo plus the rules that keep each row's status in step with what runs it."""

    def __init__(self, db: Database) -> None:
        self.repo = ArenaRepo(db)
        self.runs = RunRepo(db)

    # -- starting -------------------------------------------------------------------------------
    def start_api(self, arena_id: str, spec: ArenaSpec, run_id: str, thread_id: str, version: str) -> ArenaRow:
        return self.repo.create(new_row(arena_id, spec, version, status="running", source="api", run_id=run_id,
                                        thread_id=thread_id))

    def start_cli(self, arena_id: str, spec: ArenaSpec | None, version: str) -> ArenaRow | None:
        """A CLI run (arena id = its thread id) starts or resumes in this process."""
        pid = os.getpid()
        if self.repo.get(arena_id) is not None:
            return self.repo.update(arena_id, status="running", source="cli", pid=pid, error=None)
        if spec is None:
            return None
        return self.repo.create(new_row(arena_id, spec, version, status="running", source="cli", thread_id=arena_id,
                                        pid=pid))

    # -- ending ---------------------------------------------------------------------------------
    def finish(self, arena_id: str, values: dict[str, Any], version: str) -> ArenaRow | None:
        """Record a CLI run's final state: success with its result, or interrupted when it has not finished."""
        result = values.get("result")
        if not result:
            return self.end(arena_id, "interrupted", "NotFinished", "the run stopped before its last prompt")
        if self.repo.get(arena_id) is None:
            spec = ArenaSpec.model_validate(result["spec"])
            self.repo.create(new_row(arena_id, spec, version, source="cli", thread_id=arena_id))
        return self.repo.update(arena_id, result=result, status="success", error=None, pid=None)

    def end(self, arena_id: str, status: str, error: str, message: str) -> ArenaRow | None:
        row = self.repo.get(arena_id)
        if row is None:
            return None
        if status == "interrupted":
            message = f"{message}; continue it with {resume_hint(row)}"
        return self.repo.update(arena_id, status=status, error={"error": error, "message": message}, pid=None)

    # -- reading --------------------------------------------------------------------------------
    def settle(self, row: ArenaRow) -> ArenaRow:
        """The row with its status brought up to date from its run (API) or its process (CLI)."""
        if row.status != "running":
            return row
        if row.source == "api" and row.run_id:
            return self._settle_run(row, row.run_id)
        if row.source == "cli" and row.pid is not None and not process_alive(row.pid):
            ended = self.end(row.arena_id, "interrupted", "ProcessEnded",
                             f"the `thinkroom arena run` process ({row.pid}) ended before the last prompt")
            return ended or row
        return row

    def _settle_run(self, row: ArenaRow, run_id: str) -> ArenaRow:
        run = self.runs.get(run_id)
        if run is None:
            return self.end(row.arena_id, "interrupted", "RunDeleted", f"its run {run_id} was deleted") or row
        status = RUN_STATUS.get(run.status, "error")
        if status == "running":
            return row
        if status == "success":
            result = (run.output or {}).get("result")
            if result:
                return self.repo.update(row.arena_id, result=result, status="success", error=None) or row
            return self.end(row.arena_id, "error", "NoResult", "the run ended without an arena result") or row
        if status == "error":
            error = run.error or {"error": "Error", "message": "the run failed"}
            return self.repo.update(row.arena_id, status="error", error=error) or row
        reason = run.cancel_reason or "the run was cancelled"
        return self.end(row.arena_id, "interrupted", "Cancelled", reason) or row

    def settle_running(self) -> None:
        for row in self.repo.running():
            self.settle(row)

    def get(self, arena_id: str) -> ArenaRow | None:
        row = self.repo.get(arena_id)
        return None if row is None else self.settle(row)

    async def progress(self, row: ArenaRow, graph: Any | None) -> dict[str, Any] | None:
        if graph is None or not row.thread_id:
            return None
        return await checkpoint_result(graph, row.thread_id)

    async def current(self, row: ArenaRow, graph: Any | None) -> dict[str, Any] | None:
        """The arena's result as of now: the stored one once it succeeded, else what its checkpoint holds."""
        if row.status == "success":
            return row.result
        progress = await self.progress(row, graph)
        if progress is None:
            return row.result
        if row.status != "running" and progress != row.result:
            self.repo.update(row.arena_id, result=progress)
        return progress


__all__ = ["ArenaStore", "new_row", "resume_hint"]
