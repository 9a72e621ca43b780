"""The run manager: creates runs, orders them per thread, bounds concurrency, applies the
double-texting strategies, cancels, and resumes what a dead process left behind.

Every run is an asyncio task. A run waits for the runs queued before it on its thread,
then for a slot of the worker pool (Settings.max_workers), then executes. A run that can
start at once (idle thread, a free slot, no delay) takes its slot when it is created and is
stored as `running` in the same write, which saves a transaction on the common path. Status
changes are written to SQLite before a stream is closed, so a client that sees the stream
end and asks for the run always reads its final status.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from agents.llm.gateway import Gateway
from server.db import Database
from server.db.assistants import AssistantRepo
from server.db.events import EventRepo
from server.db.models import AssistantRow, RunRow, utcnow
from server.db.runs import RunRepo
from server.db.threads import ThreadRepo
from server.errors import ApiError
from workflows.registry import get_workflow
from workflows.runner import InvalidInput, check_input

from .executor import Outcome, execute_run
from .graphs import GraphRegistry
from .schemas import RunCreate
from .serde import jsonable
from .state import CheckpointOps, interrupts_by_task, thread_config
from .streams import RunStream, StreamHub
from .webhooks import Webhooks

log = logging.getLogger("thinkroom.runs")
SHUTDOWN = "shutdown"
#: Cancel actions other than rollback and shutdown keep the run's progress; one that is a sentence is the reason.
NEWER_RUN = "cancelled by a newer run on its thread (multitask_strategy=interrupt)"


def cancel_reason(action: str) -> str:
    """What a cancelled run's `cancel_reason` says: a plain `interrupt` is a client's cancel."""
    return "cancelled" if action == "interrupt" else action


@dataclass(eq=False)
class RunJob:
    """A run this process is responsible for, from creation until it is finished."""

    run_id: str
    thread_id: str
    assistant: AssistantRow
    body: RunCreate
    stream: RunStream
    temporary: bool = False
    resume: bool = False
    attempt: int = 1
    task: asyncio.Task[None] | None = None
    cancel_action: str | None = None
    holds_slot: bool = False
    stored_running: bool = False  # took its slot when created, so it was inserted as running
    outcome: Outcome | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def graph_id(self) -> str:
        return self.assistant.graph_id


class RunManager:
    """Runs in this process, with SQLite (one process owns the database).

    server.runs.cluster.ClusterRunManager extends it for replicas sharing a PostgreSQL database;
    the routes use only what both provide (create, find, cancel, cancel_where, thread_has_active,
    hub.replay), so the single-process path pays nothing for the queue.
    """

    def __init__(self, db: Database, saver: BaseCheckpointSaver[Any], gateway: Gateway, max_workers: int) -> None:
        self.assistants = AssistantRepo(db)
        self.threads = ThreadRepo(db)
        self.runs = RunRepo(db)
        self.events = EventRepo(db)
        self.hub = StreamHub(self.events)
        self.graphs = GraphRegistry(saver)
        self.checkpoints: Any = CheckpointOps(saver)  # type: ignore[arg-type]  # SQLite's, or PostgresCheckpointOps
        self.gateway = gateway
        self.max_workers = max_workers
        self.busy = 0  # worker slots taken
        self.waiters: collections.deque[asyncio.Future[None]] = collections.deque()  # runs waiting for a slot, in order
        self.lanes: dict[str, list[RunJob]] = {}
        self.jobs: dict[str, RunJob] = {}
        self.webhooks = Webhooks()  # THINKROOM_WEBHOOK_*: finished runs POSTed to their `webhook`

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        self.assistants.sync_builtins(self.graphs.names())
        self.hub.start()
        await self.recover()

    async def stop(self) -> None:
        """Stop running work without recording it as finished: the next start resumes it."""
        jobs = list(self.jobs.values())
        for job in jobs:
            job.cancel_action = SHUTDOWN
            if job.task is not None:
                job.task.cancel()
        for job in jobs:
            if job.task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await job.task
        await self.webhooks.aclose()
        await self.hub.stop()

    # -- lookups --------------------------------------------------------------------------
    def assistant(self, assistant_id: str) -> AssistantRow:
        row = self.assistants.get(assistant_id)
        if row is None and self.graphs.has(assistant_id):  # a graph registered after start-up
            self.assistants.sync_builtins(self.graphs.names())
            row = self.assistants.get(assistant_id)
        if row is None:
            raise ApiError(404, "not_found", f"assistant {assistant_id!r} not found")
        if not self.graphs.has(row.graph_id):
            raise ApiError(409, "conflict", f"assistant {assistant_id!r} uses graph {row.graph_id!r}, not loaded")
        return row

    def check_input(self, graph_id: str, value: Any) -> None:
        """422 naming the field for input the workflow cannot start with, before any run exists."""
        try:
            check_input(get_workflow(graph_id), self.graphs.get(graph_id), value)
        except InvalidInput as exc:
            field = f"input.{exc.field}" if exc.field else "input"
            raise ApiError(
                422, "invalid_input", f"invalid input: {exc}", fields=[{"field": field, "message": exc.message}]
            ) from None

    def active(self, thread_id: str) -> list[RunJob]:
        return [job for job in self.lanes.get(thread_id, []) if not job.done.is_set()]

    async def find(self, run_id: str) -> RunJob | None:
        """The pending or running run `run_id` (None once finished)."""
        return self.jobs.get(run_id)

    async def thread_has_active(self, thread_id: str) -> bool:
        return bool(self.active(thread_id))

    def thread_busy_after(self, job: RunJob) -> bool:
        """Whether another run of the job's thread is queued or running (the thread stays busy)."""
        return len(self.active(job.thread_id)) > 1

    async def cancel_where(
        self, *, thread_id: str | None, run_ids: list[str] | None, statuses: set[str], action: str
    ) -> None:
        """POST /runs/cancel: every pending/running run matching the filters."""
        for job in list(self.jobs.values()):
            if thread_id and job.thread_id != thread_id:
                continue
            if run_ids and job.run_id not in run_ids:
                continue
            status = "running" if job.task is not None and job.stream.events else "pending"
            if status in statuses:
                await self.cancel(job, action, wait=False)

    # -- creating runs --------------------------------------------------------------------
    async def create(self, thread_id: str | None, body: RunCreate) -> RunJob:
        assistant = self.assistant(body.assistant_id)
        if body.command is None:
            self.check_input(assistant.graph_id, body.input)
        temporary = False
        if thread_id is None:  # stateless: a thread of its own, deleted afterwards unless "keep"
            thread_id = str(uuid.uuid4())
            temporary = body.on_completion != "keep"
            self.threads.create(thread_id, {"graph_id": assistant.graph_id}, temporary=temporary)
        elif not self.threads.exists(thread_id):
            if body.if_not_exists != "create":
                raise ApiError(404, "not_found", f"thread {thread_id!r} not found")
            self.threads.create(thread_id, {"graph_id": assistant.graph_id})
        active = self.active(thread_id)
        if active:
            strategy = body.multitask_strategy
            if strategy == "reject":
                raise ApiError(
                    409, "conflict",
                    f"thread {thread_id!r} is busy with run {active[-1].run_id}; "
                    "use multitask_strategy enqueue, interrupt or rollback",
                )
            if strategy in ("interrupt", "rollback"):
                action = NEWER_RUN if strategy == "interrupt" else strategy
                for job in active:
                    await self.cancel(job, action, wait=True)
        run_id = str(uuid.uuid4())
        starts_now = (
            not self.active(thread_id) and not body.after_seconds and not self.waiters and self.busy < self.max_workers
        )
        row = RunRow(
            run_id=run_id, thread_id=thread_id, assistant_id=assistant.assistant_id, graph_id=assistant.graph_id,
            meta=body.metadata, multitask_strategy=body.multitask_strategy,
            kwargs=body.model_dump(mode="json", exclude_none=True),
            status="running" if starts_now else "pending", started_at=utcnow() if starts_now else None,
        )
        self.runs.create(
            row,
            thread_changes={
                "status": "busy",
                "metadata": {"graph_id": assistant.graph_id, "assistant_id": assistant.assistant_id},
            },
        )
        job = RunJob(run_id, thread_id, assistant, body, self.hub.open(run_id), temporary=temporary)
        if starts_now:
            self.busy += 1
            job.holds_slot = job.stored_running = True
        self._schedule(job)
        return job

    def _schedule(self, job: RunJob) -> None:
        self.lanes.setdefault(job.thread_id, []).append(job)
        self.jobs[job.run_id] = job
        job.task = asyncio.create_task(self._drive(job), name=f"run-{job.run_id}")
        job.task.add_done_callback(lambda _: self._release(job))

    async def _drive(self, job: RunJob) -> None:
        try:
            lane = self.lanes[job.thread_id]
            for earlier in lane[: lane.index(job)]:
                await earlier.done.wait()
            if job.body.after_seconds:
                await asyncio.sleep(job.body.after_seconds)
            await self._take_slot(job)
            job.outcome = await execute_run(self, job)
        except asyncio.CancelledError:
            await self._cancelled(job)
        except Exception as exc:  # a bug in the executor must not leave a run "running"
            log.exception("run %s failed outside the graph", job.run_id)
            error = {"error": type(exc).__name__, "message": str(exc) or type(exc).__name__}
            self.runs.update(job.run_id, status="error", error=error, ended_at=utcnow(),
                             thread_changes={"status": "error", "error": error})
            job.outcome = Outcome(status="error", error=error)
            self.hub.finish(job.stream)
        finally:
            if job.cancel_action != SHUTDOWN:  # its outcome is stored: the webhook may read it
                self.webhooks.announce(job.run_id, self.runs, self.events)
            if job.temporary and job.cancel_action != SHUTDOWN:
                # before `done`: shutdown waits for running jobs, so the database is still open
                with contextlib.suppress(Exception):
                    await self._drop_thread(job.thread_id)
            job.done.set()
            self._forget(job)

    async def _take_slot(self, job: RunJob) -> None:
        """Wait, in order, for a worker slot (a run that started when created already has one)."""
        if job.holds_slot:
            return
        if self.busy < self.max_workers and not self.waiters:
            self.busy += 1
            job.holds_slot = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            await waiter
        finally:
            if waiter.done() and not waiter.cancelled():
                job.holds_slot = True  # handed over by _release, even if this task is being cancelled now
            else:
                with contextlib.suppress(ValueError):
                    self.waiters.remove(waiter)

    def _release(self, job: RunJob) -> None:
        """Hand the run's slot to the first waiting run (or free it), and mark the run done.

        A done-callback of the run's task, so it also runs for a task cancelled before it started."""
        if job.holds_slot:
            job.holds_slot = False
            while self.waiters:
                waiter = self.waiters.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    break
            else:
                self.busy -= 1
        job.done.set()
        self._forget(job)

    def _forget(self, job: RunJob) -> None:
        self.jobs.pop(job.run_id, None)
        lane = self.lanes.get(job.thread_id)
        if lane is not None:
            with contextlib.suppress(ValueError):
                lane.remove(job)
            if not lane:
                self.lanes.pop(job.thread_id, None)

    async def _drop_thread(self, thread_id: str) -> None:
        self.threads.delete(thread_id)
        await self.checkpoints.delete_thread(thread_id)

    # -- cancelling -----------------------------------------------------------------------
    async def cancel(self, job: RunJob, action: str, *, wait: bool) -> None:
        """Stop a pending or running run; `interrupt` keeps its progress, `rollback` erases it."""
        if job.done.is_set():
            return
        job.cancel_action = action
        if job.task is not None:
            job.task.cancel()
        if wait:
            await job.done.wait()

    async def _cancelled(self, job: RunJob) -> None:
        action = job.cancel_action or "interrupt"
        if action == SHUTDOWN:
            self.hub.flush(job.stream)
            job.stream.close()
            self.hub.live.pop(job.run_id, None)
            return
        if action == "rollback":
            await self.checkpoints.delete_run(job.thread_id, job.run_id)
            self.runs.delete(job.run_id)
            job.stream.close()
            self.hub.live.pop(job.run_id, None)
            await self.refresh_thread(job.thread_id, busy=self.thread_busy_after(job))
            job.outcome = Outcome(status="rollback")
            return
        reason = cancel_reason(action)
        self.runs.update(job.run_id, status="interrupted", cancel_reason=reason, ended_at=utcnow())
        await self.refresh_thread(job.thread_id, busy=self.thread_busy_after(job))
        job.outcome = Outcome(status="interrupted", error={"error": "Cancelled", "message": reason})
        self.hub.finish(job.stream)

    async def refresh_thread(self, thread_id: str, *, busy: bool = False, **extra: Any) -> None:
        """Re-read the latest checkpoint into the thread's cached values, status and interrupts."""
        row = self.threads.get(thread_id)
        if row is None:
            return
        graph_id = (row.meta or {}).get("graph_id")
        changes: dict[str, Any] = {"status": "busy" if busy else "idle", **extra}
        if graph_id and self.graphs.has(graph_id):
            snapshot = await self.graphs.get(graph_id).aget_state(thread_config(thread_id))
            interrupts = interrupts_by_task(snapshot)
            changes.update(values=jsonable(snapshot.values), interrupts=interrupts)
            if not busy and "status" not in extra and (interrupts or snapshot.next):
                changes["status"] = "interrupted"
        self.threads.update(thread_id, **changes)

    async def cancel_thread(self, thread_id: str) -> None:
        for job in self.active(thread_id):
            await self.cancel(job, "interrupt", wait=True)

    # -- recovery -------------------------------------------------------------------------
    async def recover(self) -> None:
        """Runs a dead process left pending/running: resume from their checkpoint, else restart
        pending ones from their input, else mark them interrupted with the reason."""
        for row in self.runs.unfinished():
            job = await self.adopt(row)
            if job is not None:
                self._schedule(job)

    async def adopt(self, row: RunRow) -> RunJob | None:
        """A job for an unfinished run another process (or this one, before a restart) left behind,
        to resume from its checkpoint or restart from its input; None (the run is then marked
        interrupted, with the reason) if that is no longer possible."""
        thread = self.threads.get(row.thread_id)
        assistant = self.assistants.get(row.assistant_id)
        reason = None
        if thread is None:
            reason = "its thread no longer exists"
        elif assistant is None or not self.graphs.has(assistant.graph_id):
            reason = f"graph {row.graph_id!r} is no longer registered"
        if reason is not None or assistant is None or thread is None:
            self.runs.update(row.run_id, status="interrupted", ended_at=utcnow(),
                             cancel_reason=f"server restarted and {reason}")
            self.webhooks.announce(row.run_id, self.runs, self.events)
            return None
        try:
            body = RunCreate.model_validate(row.kwargs)
        except ValueError as exc:
            self.runs.update(row.run_id, status="interrupted", ended_at=utcnow(),
                             cancel_reason=f"server restarted and the stored request is invalid: {exc}")
            return None
        resume = row.status == "running" and await self.checkpoints.has_run_checkpoint(row.thread_id, row.run_id)
        attempt = row.attempt + 1 if row.status == "running" else row.attempt
        self.runs.update(row.run_id, status="pending", attempt=attempt,
                         thread_changes={"status": "busy"})
        stream = self.hub.open(row.run_id, first_seq=self.events.next_seq(row.run_id))
        log.info("recovering run %s (%s)", row.run_id, "resume" if resume else "restart")
        return RunJob(row.run_id, row.thread_id, assistant, body, stream, temporary=thread.temporary,
                      resume=resume, attempt=attempt)
