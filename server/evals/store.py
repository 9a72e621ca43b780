"""The evaluations' status, kept true whoever drives the run: the API's run manager or a CLI process.

A row is written when an eval starts and when it ends. Between the two, the truth is
elsewhere, and `settle` reads it: an API eval's run row (its status, and its output's
`result` once it succeeded), or for a CLI eval whether its process is still alive. A
killed or cancelled eval becomes `interrupted`, and `current` stores the items it had
finished, read from its checkpoint, so `eval show` keeps them even without the checkpoint.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from server.db import Database
from server.db.evals import EvalRepo
from server.db.models import EvalRow
from server.db.runs import RunRepo
from workflows.evals.schema import EvalSpec

from .progress import checkpoint_result

#: A run's status -> its eval's (a pending run, e.g. waiting for a worker slot, is a running eval).
RUN_STATUS = {
    "pending": "running",
    "running": "running",
    "success": "success",
    "error": "error",
    "timeout": "error",
    "interrupted": "interrupted",
}


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


def resume_hint(row: EvalRow) -> str:
    if row.source == "cli":
        return f"thinkroom eval run --resume {row.eval_id}"
    return f"POST /api/evals/{row.eval_id}/resume"


class EvalStore:
    """EvalRepo plus the rules that keep each row's status in step with what runs it."""

    def __init__(self, db: Database) -> None:
        self.repo = EvalRepo(db)
        self.runs = RunRepo(db)

    # -- starting -------------------------------------------------------------------------------
    def start_api(self, eval_id: str, spec: EvalSpec, run_id: str, thread_id: str, version: str) -> EvalRow:
        row = EvalRow(
            eval_id=eval_id, suite=spec.suite, status="running", source="api", run_id=run_id, thread_id=thread_id,
            thinkroom_version=version, spec=spec.model_dump(mode="json"),
            models=[{"name": name} for name in spec.models],
        )
        return self.repo.create(row)

    def start_cli(self, eval_id: str, spec: EvalSpec | None, version: str) -> EvalRow | None:
        """A CLI run (eval id = its run and thread id) starts or resumes in this process.

        A resumed run whose eval was never recorded gets its row when it finishes (its spec is in the result)."""
        pid = os.getpid()
        if self.repo.get(eval_id) is not None:
            return self.repo.update(eval_id, status="running", source="cli", pid=pid, error=None)
        if spec is None:
            return None
        row = EvalRow(
            eval_id=eval_id, suite=spec.suite, status="running", source="cli", thread_id=eval_id, pid=pid,
            thinkroom_version=version, spec=spec.model_dump(mode="json"),
            models=[{"name": name} for name in spec.models],
        )
        return self.repo.create(row)

    # -- ending ---------------------------------------------------------------------------------
    def finish(self, eval_id: str, values: dict[str, Any], version: str) -> EvalRow | None:
        """Record a CLI run's final state: success with its result, or interrupted when it has not finished."""
        result = values.get("result")
        if not result:
            return self.end(eval_id, "interrupted", "NotFinished", "the run stopped before its last item")
        if self.repo.get(eval_id) is None:
            spec = EvalSpec.model_validate(result["spec"])
            self.repo.create(
                EvalRow(eval_id=eval_id, suite=spec.suite, source="cli", thread_id=eval_id,
                        thinkroom_version=version, spec=spec.model_dump(mode="json"))
            )
        return self.repo.update(eval_id, result=result, status="success", error=None, pid=None)

    def end(self, eval_id: str, status: str, error: str, message: str) -> EvalRow | None:
        """Mark an eval ended without a result (its finished items are added from the checkpoint on read)."""
        row = self.repo.get(eval_id)
        if row is None:
            return None
        if status == "interrupted":
            message = f"{message}; continue it with {resume_hint(row)}"
        return self.repo.update(eval_id, status=status, error={"error": error, "message": message}, pid=None)

    # -- reading --------------------------------------------------------------------------------
    def settle(self, row: EvalRow) -> EvalRow:
        """The row with its status brought up to date from its run (API) or its process (CLI)."""
        if row.status != "running":
            return row
        if row.source == "api" and row.run_id:
            return self._settle_run(row, row.run_id)
        if row.source == "cli" and row.pid is not None and not process_alive(row.pid):
            ended = self.end(row.eval_id, "interrupted", "ProcessEnded",
                             f"the `thinkroom eval run` process ({row.pid}) ended before the last item")
            return ended or row
        return row

    def _settle_run(self, row: EvalRow, run_id: str) -> EvalRow:
        run = self.runs.get(run_id)
        if run is None:
            ended = self.end(row.eval_id, "interrupted", "RunDeleted", f"its run {run_id} was rolled back or deleted")
            return ended or row
        status = RUN_STATUS.get(run.status, "error")
        if status == "running":
            return row
        if status == "success":
            result = (run.output or {}).get("result")
            if result:
                return self.repo.update(row.eval_id, result=result, status="success", error=None) or row
            return self.end(row.eval_id, "error", "NoResult", "the run ended without an eval result") or row
        if status == "error":
            error = run.error or {"error": "Error", "message": "the run failed"}
            return self.repo.update(row.eval_id, status="error", error=error) or row
        reason = run.cancel_reason or "the run was cancelled"
        return self.end(row.eval_id, "interrupted", "Cancelled", reason) or row

    def settle_running(self) -> None:
        """Settle every row still marked running (before a listing)."""
        for row in self.repo.running():
            self.settle(row)

    def get(self, eval_id: str) -> EvalRow | None:
        row = self.repo.get(eval_id)
        return None if row is None else self.settle(row)

    async def progress(self, row: EvalRow, graph: Any | None) -> dict[str, Any] | None:
        """What the eval's checkpoint holds (None without a graph, a thread or any eval state there)."""
        if graph is None or not row.thread_id:
            return None
        return await checkpoint_result(graph, row.thread_id)

    async def current(self, row: EvalRow, graph: Any | None) -> dict[str, Any] | None:
        """The eval's result as of now: the stored one once it succeeded, else what its checkpoint holds.

        An ended eval's checkpoint progress is stored in its row (so it outlives the checkpoint)."""
        if row.status == "success":
            return row.result
        progress = await self.progress(row, graph)
        if progress is None:
            return row.result
        if row.status != "running" and progress != row.result:
            self.repo.update(row.eval_id, result=progress)
        return progress


__all__ = ["RUN_STATUS", "EvalStore", "process_alive", "resume_hint"]
