"""A result row's status, kept true whoever drives its run: the API's run manager or a CLI process.

Evaluations and arenas follow the same rules. A row is written when the run starts and when
it ends. Between the two, the truth is elsewhere, and `settle` reads it: an API run's row
(its status, and its output's `result` once it succeeded), or for a CLI run whether its
process is still alive. A killed or cancelled run becomes `interrupted`, and `current`
stores what it had finished, read from its checkpoint, so it outlives the checkpoint.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel

from server.db import Database
from server.db.arena_tables import ArenaRow
from server.db.models import EvalRow
from server.db.results import ResultRepo
from server.db.runs import RunRepo

#: A run's status -> its result row's (a pending run, e.g. waiting for a worker slot, is running).
RUN_STATUS = {
    "pending": "running",
    "running": "running",
    "success": "success",
    "error": "error",
    "timeout": "error",
    "interrupted": "interrupted",
}

#: The result tables: they share the columns these rules read (status, source, run_id, thread_id, pid, result).
RowT = TypeVar("RowT", EvalRow, ArenaRow)
SpecT = TypeVar("SpecT", bound=BaseModel)


def process_alive(pid: int) -> bool:
    """True while process `pid` exists and is not a zombie (a killed child its parent has not reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return True
    return fields[0] != "Z"


class ResultStore(ABC, Generic[RowT, SpecT]):
    """A ResultRepo plus the rules that keep each row's status in step with what runs it.

    A subclass names its `noun` ("eval"), the `unit` its runs finish one at a time ("item"),
    and says how to make a row (`new_row`), find its id (`row_id`) and read a checkpoint.
    """

    noun: ClassVar[str]
    unit: ClassVar[str]
    spec_type: type[SpecT]
    repo: ResultRepo[RowT]

    def __init__(self, db: Database) -> None:
        self.runs = RunRepo(db)

    # -- what a subclass says ---------------------------------------------------------------------
    @abstractmethod
    def new_row(self, row_id: str, spec: SpecT, version: str, **fields: Any) -> RowT:
        """A new row for this spec (the subclass knows its table's own columns)."""

    @staticmethod
    def row_id(row: EvalRow | ArenaRow) -> str:
        return row.eval_id if isinstance(row, EvalRow) else row.arena_id

    @abstractmethod
    async def checkpoint_result(self, graph: Any, thread_id: str) -> dict[str, Any] | None:
        """The result of what the thread's checkpoint holds, summarised as the workflow's finish step does."""

    def resume_hint(self, row: RowT) -> str:
        row_id = self.row_id(row)
        if row.source == "cli":
            return f"thinkroom {self.noun} run --resume {row_id}"
        return f"POST /api/{self.noun}s/{row_id}/resume"

    # -- starting ---------------------------------------------------------------------------------
    def start_api(self, row_id: str, spec: SpecT, run_id: str, thread_id: str, version: str) -> RowT:
        row = self.new_row(row_id, spec, version, status="running", source="api", run_id=run_id, thread_id=thread_id)
        return self.repo.create(row)

    def start_cli(self, row_id: str, spec: SpecT | None, version: str) -> RowT | None:
        """A CLI run (its id = its run and thread id) starts or resumes in this process.

        A resumed run that was never recorded gets its row when it finishes (its spec is in the result)."""
        pid = os.getpid()
        if self.repo.get(row_id) is not None:
            return self.repo.update(row_id, status="running", source="cli", pid=pid, error=None)
        if spec is None:
            return None
        return self.repo.create(
            self.new_row(row_id, spec, version, status="running", source="cli", thread_id=row_id, pid=pid)
        )

    # -- ending -----------------------------------------------------------------------------------
    def finish(self, row_id: str, values: dict[str, Any], version: str) -> RowT | None:
        """Record a CLI run's final state: success with its result, or interrupted when it has not finished."""
        result = values.get("result")
        if not result:
            return self.end(row_id, "interrupted", "NotFinished", f"the run stopped before its last {self.unit}")
        if self.repo.get(row_id) is None:
            spec = self.spec_type.model_validate(result["spec"])
            self.repo.create(self.new_row(row_id, spec, version, source="cli", thread_id=row_id))
        return self.repo.update(row_id, result=result, status="success", error=None, pid=None)

    def end(self, row_id: str, status: str, error: str, message: str) -> RowT | None:
        """Mark a run ended without a result (what it finished is added from the checkpoint on read)."""
        row = self.repo.get(row_id)
        if row is None:
            return None
        if status == "interrupted":
            message = f"{message}; continue it with {self.resume_hint(row)}"
        return self.repo.update(row_id, status=status, error={"error": error, "message": message}, pid=None)

    # -- reading ----------------------------------------------------------------------------------
    def settle(self, row: RowT) -> RowT:
        """The row with its status brought up to date from its run (API) or its process (CLI)."""
        if row.status != "running":
            return row
        if row.source == "api" and row.run_id:
            return self._settle_run(row, row.run_id)
        if row.source == "cli" and row.pid is not None and not process_alive(row.pid):
            message = f"the `thinkroom {self.noun} run` process ({row.pid}) ended before the last {self.unit}"
            return self.end(self.row_id(row), "interrupted", "ProcessEnded", message) or row
        return row

    def _settle_run(self, row: RowT, run_id: str) -> RowT:
        row_id = self.row_id(row)
        run = self.runs.get(run_id)
        if run is None:
            return self.end(row_id, "interrupted", "RunDeleted", f"its run {run_id} was rolled back or deleted") or row
        status = RUN_STATUS.get(run.status, "error")
        if status == "running":
            return row
        if status == "success":
            result = (run.output or {}).get("result")
            if result:
                return self.repo.update(row_id, result=result, status="success", error=None) or row
            return self.end(row_id, "error", "NoResult", f"the run ended without an {self.noun} result") or row
        if status == "error":
            error = run.error or {"error": "Error", "message": "the run failed"}
            return self.repo.update(row_id, status="error", error=error) or row
        reason = run.cancel_reason or "the run was cancelled"
        return self.end(row_id, "interrupted", "Cancelled", reason) or row

    def settle_running(self) -> None:
        """Settle every row still marked running (before a listing)."""
        for row in self.repo.running():
            self.settle(row)

    def get(self, row_id: str) -> RowT | None:
        row = self.repo.get(row_id)
        return None if row is None else self.settle(row)

    async def progress(self, row: RowT, graph: Any | None) -> dict[str, Any] | None:
        """What the run's checkpoint holds (None without a graph, a thread or any state there)."""
        if graph is None or not row.thread_id:
            return None
        return await self.checkpoint_result(graph, row.thread_id)

    async def current(self, row: RowT, graph: Any | None) -> dict[str, Any] | None:
        """The result as of now: the stored one once it succeeded, else what its checkpoint holds.

        An ended run's checkpoint progress is stored in its row (so it outlives the checkpoint)."""
        if row.status == "success":
            return row.result
        progress = await self.progress(row, graph)
        if progress is None:
            return row.result
        if row.status != "running" and progress != row.result:
            self.repo.update(self.row_id(row), result=progress)
        return progress


__all__ = ["RUN_STATUS", "ResultStore", "process_alive"]
