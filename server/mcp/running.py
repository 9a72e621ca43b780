"""One run through the app's RunManager, waited for with a timeout: the path every agent and workflow tool takes.

The run is an ordinary stored run on a kept thread (a new one unless the caller names one),
so it shows up in `/threads/{id}/runs` like any other. A run that fails, is cancelled, or
outlives its timeout (it is then cancelled, with the reason stored) is a `ToolError`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import anyio

from server.errors import ApiError
from server.runs.checks import check_run
from server.runs.manager import RunJob, RunManager
from server.runs.schemas import RunCreate

from .errors import ToolError


@dataclass(frozen=True)
class RunResult:
    """A finished run: where it is stored and the thread's values (with `__interrupt__` if it paused)."""

    run_id: str
    thread_id: str
    output: dict[str, Any]

    @property
    def interrupts(self) -> list[Any]:
        found = self.output.get("__interrupt__")
        return list(found) if isinstance(found, list) else []

    def where(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "thread_id": self.thread_id}


def effective_timeout(asked: float | None, limit: float) -> float:
    """The caller's timeout, never beyond the server's limit (THINKROOM_MCP_TOOL_TIMEOUT_S)."""
    return limit if asked is None else min(asked, limit)


async def run_and_wait(
    manager: RunManager, body: RunCreate, thread_id: str | None, timeout_s: float, tool: str
) -> RunResult:
    """Create the run on `thread_id` (created if new), wait for it, and turn every failure into a ToolError."""
    thread_id = thread_id or str(uuid.uuid4())
    try:
        await check_run(manager, thread_id, body)
        job = await manager.create(thread_id, body)
    except ApiError as exc:
        raise ToolError(f"{tool}: {exc.message}") from None
    await _wait(manager, job, timeout_s, tool)
    outcome = job.outcome
    if outcome is None:
        raise ToolError(
            f"{tool}: run {job.run_id} on thread {job.thread_id} was stopped with the server; "
            "it resumes when the server starts again"
        )
    if outcome.status == "rollback":
        raise ToolError(f"{tool}: run {job.run_id} was rolled back by a newer run on thread {job.thread_id}")
    if outcome.status == "error":
        error = outcome.error or {}
        kind, message = error.get("error", "Error"), error.get("message", "the run failed")
        raise ToolError(f"{tool}: run {job.run_id} on thread {job.thread_id} failed: {kind}: {message}")
    if outcome.status != "success":
        reason = (outcome.error or {}).get("message", outcome.status)
        raise ToolError(f"{tool}: run {job.run_id} on thread {job.thread_id} was cancelled: {reason}")
    return RunResult(job.run_id, job.thread_id, dict(outcome.output or {}))


async def _wait(manager: RunManager, job: RunJob, timeout_s: float, tool: str) -> None:
    """Wait for the run; cancel it (reason stored) if it outlives the timeout.

    A call abandoned otherwise (the client went away, the server is stopping) leaves the run
    alone, as the runs API's default `on_disconnect: continue` does: a stopping server then
    resumes it on its next start.
    """
    with anyio.move_on_after(timeout_s) as scope:
        await job.done.wait()
    if scope.cancelled_caught and not job.done.is_set():
        await manager.cancel(job, f"the MCP tool call timed out after {timeout_s:g} s", wait=True)
        raise ToolError(
            f"{tool}: timed out after {timeout_s:g} s; run {job.run_id} on thread {job.thread_id} was cancelled "
            "(pass a larger timeout_s, up to THINKROOM_MCP_TOOL_TIMEOUT_S)"
        )
