"""Runs across replicas sharing one PostgreSQL database (THINKROOM_DATABASE_URL=postgresql+psycopg://...).

The single-process RunManager keeps its in-memory path; this subclass adds the run queue
(server.db.queue) and LISTEN/NOTIFY (server.db.listener):

- Creating a run locks its thread's row, so replicas apply the multitask strategies one at
  a time per thread. A run on a thread with nothing unfinished is claimed by the replica that
  made it (it runs here, like on SQLite); a run queued behind another is left unowned, and
  the first replica with a free worker slot claims it (`FOR UPDATE SKIP LOCKED`).
- A replica renews the leases of its runs every third of THINKROOM_RUN_LEASE_S. When a
  replica dies its leases run out, and another claims those runs and resumes each from its
  last checkpoint (attempt + 1), exactly as a restarted SQLite server does. A replica that
  finds it lost a lease stops that run without recording anything (the new owner does).
- Cancel works from any replica: the owner is asked by notification (and by a flag its
  heartbeat reads); a run nobody holds is cancelled on the spot.
- Joins and streams of a run held elsewhere read its stored events and follow new ones as
  their notifications arrive; `Last-Event-ID` is a sequence number, so it resumes anywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from agents.llm.gateway import Gateway
from server.db import Database
from server.db.events import EventRepo
from server.db.listener import Listener
from server.db.models import AssistantRow, RunEventRow, RunRow, utcnow
from server.db.queue import Claimed, QueueRepo, lock_thread, notify_events
from server.db.runs import INSERT_RUN, RUNS, UPDATE_RUN, RunRepo, _touch_thread
from server.errors import ApiError
from workflows.checkpoint_postgres import PooledPostgresSaver, postgres_conninfo

from .executor import Outcome
from .manager import NEWER_RUN, SHUTDOWN, RunJob, RunManager, cancel_reason
from .pg_checkpoints import PostgresCheckpointOps
from .schemas import RunCreate
from .streams import Event, RunStream, StreamHub

log = logging.getLogger("thinkroom.runs")
FINAL = frozenset({"success", "error", "interrupted", "timeout"})
EVENTS = RunEventRow.__table__  # type: ignore[attr-defined]


class ClusterSettings(BaseSettings):
    """Queue settings (THINKROOM_ environment variables, read only with a PostgreSQL URL)."""

    model_config = SettingsConfigDict(env_prefix="THINKROOM_", env_file=".env", extra="ignore")

    replica_id: str = Field(default="", description="This replica's name in leases; empty: host-pid-random.")
    run_lease_s: float = Field(default=30.0, ge=1, le=3600, description="How long a dead replica keeps its runs.")
    queue_poll_s: float = Field(default=1.0, gt=0, le=60, description="Re-check the queue at least this often.")

    def replica(self) -> str:
        return self.replica_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class NotifyingEventRepo(EventRepo):
    """Stored events plus a notification naming their runs, in one transaction. A duplicate
    (run_id, seq) is skipped: only a replica that lost its lease would write one."""

    def append(self, events: Any) -> int:
        from sqlalchemy.dialects.postgresql import insert

        now = utcnow()
        rows = [{"run_id": r, "seq": s, "event": e, "data": d, "created_at": now} for r, s, e, d in events]
        if not rows:
            return 0
        with self.db.begin() as conn:
            conn.execute(insert(EVENTS).on_conflict_do_nothing(), rows)
            notify_events(conn, (row["run_id"] for row in rows))
        return len(rows)


class ClusterRunRepo(RunRepo):
    """Recording a final status also deletes the run's queue row (only while this replica owns
    it) and notifies every replica; the run's last events are saved just before."""

    def __init__(self, db: Database, queue: QueueRepo, before_final: Callable[[str], None]) -> None:
        super().__init__(db)
        self.queue = queue
        self.before_final = before_final

    def update(self, run_id: str, thread_changes: dict[str, Any] | None = None, **changes: Any) -> bool:
        if changes.get("status") not in FINAL:
            return super().update(run_id, thread_changes, **changes)
        self.before_final(run_id)
        with self.db.begin() as conn:
            if not self.queue.finish(conn, run_id):
                log.warning("run %s: not recording %s: another replica holds it now", run_id, changes["status"])
                return False
            found = conn.execute(UPDATE_RUN, {**changes, "updated_at": utcnow(), "_run_id": run_id}).first()
            if found is not None and thread_changes:
                _touch_thread(conn, found[0], thread_changes)
            return found is not None

    def delete(self, run_id: str) -> bool:
        with self.db.begin() as conn:
            self.queue.finish(conn, run_id)
            conn.execute(delete(EVENTS).where(EVENTS.c.run_id == run_id))
            return bool(conn.execute(delete(RUNS).where(RUNS.c.run_id == run_id)).rowcount)


class ClusterStreamHub(StreamHub):
    """Streams of runs held here (in memory, as on SQLite) and of runs held elsewhere (stored
    events, re-read whenever a notification names the run)."""

    def __init__(self, events: EventRepo, queue: QueueRepo, poll_s: float, interval: float = 0.1) -> None:
        super().__init__(events, interval)
        self.queue = queue
        self.poll_s = poll_s
        self.watchers: dict[str, set[asyncio.Event]] = {}

    def poke(self, run_id: str) -> None:
        for waiter in self.watchers.get(run_id, ()):
            waiter.set()

    def poke_all(self) -> None:
        for waiters in self.watchers.values():
            for waiter in waiters:
                waiter.set()

    async def replay(self, run_id: str, after_seq: int = -1) -> AsyncIterator[Event]:
        if run_id in self.live:
            async for event in super().replay(run_id, after_seq):
                yield event
            return
        waiter = asyncio.Event()
        self.watchers.setdefault(run_id, set()).add(waiter)
        try:
            while True:
                waiter.clear()
                queued = self.queue.is_queued(run_id)  # read before the events: a finished run's are all stored
                if run_id in self.live:  # claimed by this replica meanwhile
                    async for event in super().replay(run_id, after_seq):
                        yield event
                    return
                for event in self.events.since(run_id, after_seq):
                    yield event
                    after_seq = event[0]
                if not queued:
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter.wait(), self.poll_s)
        finally:
            waiters = self.watchers.get(run_id)
            if waiters is not None:
                waiters.discard(waiter)
                if not waiters:
                    self.watchers.pop(run_id, None)


def outcome_of(row: RunRow | None) -> Outcome:
    """A finished run's outcome as its stored row says (what a waiter on another replica gets)."""
    if row is None:
        return Outcome(status="rollback")
    if row.status == "error":
        return Outcome(status="error", output=None, error=row.error)
    if row.status == "interrupted":
        return Outcome(status="interrupted", error={"error": "Cancelled", "message": row.cancel_reason or ""})
    return Outcome(status=row.status, output=row.output)


class ClusterRunManager(RunManager):
    def __init__(
        self, db: Database, saver: PooledPostgresSaver, gateway: Gateway, max_workers: int,
        settings: ClusterSettings | None = None,
    ) -> None:
        super().__init__(db, saver, gateway, max_workers)
        settings = settings or ClusterSettings()
        self.db = db
        self.replica = settings.replica()
        self.lease_s = settings.run_lease_s
        self.poll_s = settings.queue_poll_s
        self.queue = QueueRepo(db, self.replica, self.lease_s)
        self.events = NotifyingEventRepo(db)
        self.hub: ClusterStreamHub = ClusterStreamHub(self.events, self.queue, self.poll_s)
        self.runs = ClusterRunRepo(db, self.queue, self._save_events)
        self.checkpoints = PostgresCheckpointOps(saver)
        self.remote: dict[str, RunJob] = {}  # runs held elsewhere that someone here waits for
        self.listener = Listener(postgres_conninfo(db.url), self._on_notify, self._on_reconnect)
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[Any]] = set()

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        for attempt in range(3):  # replicas starting together insert the same built-in assistants
            try:
                self.assistants.sync_builtins(self.graphs.names())
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        self.hub.start()
        await self.listener.start()
        freed = self.queue.expire_own()
        if freed:
            log.info("replica %s: taking back %d run(s) its previous process held", self.replica, len(freed))
        self._tasks = [
            asyncio.create_task(self._claimer(), name="run-claimer"),
            asyncio.create_task(self._heartbeat(), name="run-heartbeat"),
        ]
        log.info("replica %s: run queue on PostgreSQL, lease %.0fs", self.replica, self.lease_s)

    async def stop(self) -> None:
        """Stop claiming, stop the runs held here, and give them back so another replica resumes them now."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        held = list(self.jobs)
        await super().stop()
        with contextlib.suppress(Exception):
            self.queue.release(held)
        await self.listener.stop()

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _save_events(self, run_id: str) -> None:
        stream = self.hub.live.get(run_id)
        if stream is not None:
            self.hub.flush(stream)

    # -- notifications --------------------------------------------------------------------
    def _on_notify(self, payload: str) -> None:
        kind, _, rest = payload.partition(" ")
        if kind == "e":
            for run_id in rest.split():
                self.hub.poke(run_id)
        elif kind == "d":
            self.hub.poke(rest)
            if rest in self.remote:
                self._resolve(rest)
            self._wake.set()
        elif kind == "c":
            run_id, _, action = rest.partition(" ")
            job = self.jobs.get(run_id)
            if job is not None and job.cancel_action is None:
                self._spawn(RunManager.cancel(self, job, action, wait=False))
        elif kind == "q":
            self._wake.set()

    def _on_reconnect(self) -> None:
        """Notifications may have been missed: look at the queue and the events again."""
        self._wake.set()
        self.hub.poke_all()

    def _resolve(self, run_id: str) -> None:
        job = self.remote.pop(run_id, None)
        if job is not None and not job.done.is_set():
            job.outcome = outcome_of(self.runs.get(run_id))
            job.done.set()

    def _release(self, job: RunJob) -> None:
        super()._release(job)
        self._wake.set()  # a slot may be free: claim more

    # -- lookups --------------------------------------------------------------------------
    async def find(self, run_id: str) -> RunJob | None:
        job = self.jobs.get(run_id) or self.remote.get(run_id)
        if job is not None:
            return None if job.done.is_set() else job
        if not self.queue.is_queued(run_id):
            return None
        row = self.runs.get(run_id)
        if row is None:
            return None
        job = self._handle(row)
        self.remote[run_id] = job
        if not self.queue.is_queued(run_id):  # finished while we looked
            self._resolve(run_id)
        return job

    def _handle(self, row: RunRow) -> RunJob:
        """A RunJob standing for a run held by another replica (or by none yet)."""
        assistant = self.assistants.get(row.assistant_id) or AssistantRow(
            assistant_id=row.assistant_id, graph_id=row.graph_id
        )
        try:
            body = RunCreate.model_validate(row.kwargs)
        except ValueError:
            body = RunCreate(assistant_id=row.assistant_id)
        return RunJob(row.run_id, row.thread_id, assistant, body, RunStream(row.run_id))

    async def thread_has_active(self, thread_id: str) -> bool:
        return bool(self.queue.thread_active(thread_id))

    def thread_busy_after(self, job: RunJob) -> bool:
        return any(run_id != job.run_id for run_id in self.queue.thread_active(job.thread_id))

    # -- creating runs --------------------------------------------------------------------
    async def create(self, thread_id: str | None, body: RunCreate) -> RunJob:
        assistant = self.assistant(body.assistant_id)
        if body.command is None:
            self.check_input(assistant.graph_id, body.input)
        temporary = False
        if thread_id is None:
            thread_id = str(uuid.uuid4())
            temporary = body.on_completion != "keep"
            self.threads.create(thread_id, {"graph_id": assistant.graph_id}, temporary=temporary)
        elif not self.threads.exists(thread_id):
            if body.if_not_exists != "create":
                raise ApiError(404, "not_found", f"thread {thread_id!r} not found")
            with contextlib.suppress(IntegrityError):  # another replica made it just now
                self.threads.create(thread_id, {"graph_id": assistant.graph_id})
        strategy = body.multitask_strategy
        active = self.queue.thread_active(thread_id)
        if active and strategy == "reject":
            raise self._busy(thread_id, active[-1])
        if active and strategy in ("interrupt", "rollback"):
            for run_id in active:
                handle = await self.find(run_id)
                if handle is not None:
                    await self.cancel(handle, NEWER_RUN if strategy == "interrupt" else strategy, wait=True)
        run_id = str(uuid.uuid4())
        row = RunRow(
            run_id=run_id, thread_id=thread_id, assistant_id=assistant.assistant_id, graph_id=assistant.graph_id,
            meta=body.metadata, multitask_strategy=strategy, kwargs=body.model_dump(mode="json", exclude_none=True),
        )
        can_start = not body.after_seconds and not self.waiters and self.busy < self.max_workers
        claimed, starts_now = self._insert(row, strategy, float(body.after_seconds or 0), can_start, {
            "status": "busy", "metadata": {"graph_id": assistant.graph_id, "assistant_id": assistant.assistant_id},
        })
        if not claimed:  # queued behind another run: whichever replica is free takes it
            job = self._handle(row)
            self.remote[run_id] = job
            return job
        job = RunJob(run_id, thread_id, assistant, body, self.hub.open(run_id), temporary=temporary)
        if starts_now:
            self.busy += 1
            job.holds_slot = job.stored_running = True
        self._schedule(job)
        return job

    @staticmethod
    def _busy(thread_id: str, run_id: str) -> ApiError:
        return ApiError(
            409, "conflict",
            f"thread {thread_id!r} is busy with run {run_id}; use multitask_strategy enqueue, interrupt or rollback",
        )

    def _insert(
        self, row: RunRow, strategy: str, delay_s: float, can_start: bool, thread_changes: dict[str, Any]
    ) -> tuple[bool, bool]:
        """Insert the run and its queue row with the thread locked: claimed here if the thread has
        nothing unfinished (and stored running if a slot is free), else queued unowned."""
        with self.db.begin() as conn:
            if not lock_thread(conn, row.thread_id):
                raise ApiError(404, "not_found", f"thread {row.thread_id!r} not found")
            active = self.queue.thread_active(row.thread_id, conn)
            if active and strategy == "reject":
                raise self._busy(row.thread_id, active[-1])
            claimed = not active
            starts_now = claimed and can_start
            if starts_now:
                row.status, row.started_at = "running", utcnow()
            values = row.model_dump()
            values["metadata"] = values.pop("meta")
            conn.execute(INSERT_RUN, values)
            self.queue.enqueue(conn, row.run_id, row.thread_id, claim=claimed, delay_s=delay_s)
            _touch_thread(conn, row.thread_id, thread_changes)
        return claimed, starts_now

    # -- cancelling -----------------------------------------------------------------------
    async def cancel(self, job: RunJob, action: str, *, wait: bool) -> None:
        if job.run_id in self.jobs:
            await super().cancel(job, action, wait=wait)
            return
        if job.done.is_set():
            return
        self.remote.setdefault(job.run_id, job)
        if self._cancel_unheld(job, action):
            await self._after_cancel(job, action)
        if wait:
            await job.done.wait()

    def _cancel_unheld(self, job: RunJob, action: str) -> bool:
        """Cancel a run no live replica holds, here and now (True); else ask its owner (False)."""
        with self.db.begin() as conn:
            found = self.queue.lock_run(conn, job.run_id)
            if found is None:
                return False  # already finished: its notification resolves the handle
            owner, expired = found
            if owner is not None and not expired:
                self.queue.ask_cancel(conn, job.run_id, action)
                return False
            self._record_cancel(conn, job.run_id, action)
            return True

    def _record_cancel(self, conn: Any, run_id: str, action: str) -> None:
        """Finish a run nobody holds as cancelled: interrupted (progress kept), or erased (rollback)."""
        self.queue.drop(conn, run_id)
        if action == "rollback":
            conn.execute(delete(EVENTS).where(EVENTS.c.run_id == run_id))
            conn.execute(delete(RUNS).where(RUNS.c.run_id == run_id))
            return
        reason = cancel_reason(action)
        conn.execute(UPDATE_RUN, {
            "status": "interrupted", "cancel_reason": reason, "ended_at": utcnow(), "updated_at": utcnow(),
            "_run_id": run_id,
        })

    async def _after_cancel(self, job: RunJob, action: str) -> None:
        if action == "rollback":
            await self.checkpoints.delete_run(job.thread_id, job.run_id)
        await self.refresh_thread(job.thread_id, busy=self.thread_busy_after(job))
        self._resolve(job.run_id)
        if action != "rollback":  # recorded here, by the replica that cancelled it: this one delivers
            self.webhooks.announce(job.run_id, self.runs, self.events)

    async def cancel_thread(self, thread_id: str) -> None:
        for run_id in self.queue.thread_active(thread_id):
            job = await self.find(run_id)
            if job is not None:
                await self.cancel(job, "interrupt", wait=True)

    async def cancel_where(
        self, *, thread_id: str | None, run_ids: list[str] | None, statuses: set[str], action: str
    ) -> None:
        for run_id, _thread, status in self.queue.cancellable(thread_id):
            if (run_ids and run_id not in run_ids) or status not in statuses:
                continue
            job = await self.find(run_id)
            if job is not None:
                await self.cancel(job, action, wait=False)

    # -- the queue ------------------------------------------------------------------------
    def _free_slots(self) -> int:
        waiting_here = sum(1 for job in self.jobs.values() if not job.holds_slot)
        return self.max_workers - self.busy - waiting_here

    async def _claimer(self) -> None:
        """Claim free runs while this replica has free slots; wake on notifications, poll as a fallback."""
        while True:
            self._wake.clear()
            more = False
            try:
                free = self._free_slots()
                claimed = self.queue.claim(free)
                for item in claimed:
                    await self._take(item)
                more = bool(claimed) and len(claimed) == free
                if self.remote:  # a missed notification must not leave a waiter waiting
                    for run_id in set(self.remote) - self.queue.still_queued(list(self.remote)):
                        self._resolve(run_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("claiming runs failed")
            if not more:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_s)

    async def _take(self, item: Claimed) -> None:
        """Run a run this replica just claimed: resume it if its last owner died mid-run."""
        row = self.runs.get(item.run_id)
        if row is None or row.status in FINAL:
            with self.db.begin() as conn:
                self.queue.drop(conn, item.run_id)
            return
        if item.cancel_action:  # cancel asked while its owner was dying: nobody runs it any more
            handle = self._handle(row)
            self.remote.setdefault(row.run_id, handle)
            with self.db.begin() as conn:
                self._record_cancel(conn, row.run_id, item.cancel_action)
            await self._after_cancel(handle, item.cancel_action)
            return
        if item.previous_owner is not None:
            log.info("run %s: replica %s stopped renewing its lease; taking it over", row.run_id, item.previous_owner)
        job = await self.adopt(row)
        if job is None:
            return
        if item.previous_owner is None and row.status == "pending" and job.body.after_seconds:
            job.body = job.body.model_copy(update={"after_seconds": None})  # the queue held it back already
        self._schedule(job)

    async def _heartbeat(self) -> None:
        """Renew this replica's leases; stop runs whose lease was lost, honour cancel flags."""
        while True:
            await asyncio.sleep(self.lease_s / 3)
            try:
                held = self.queue.renew(list(self.jobs))
            except Exception:
                log.exception("renewing run leases failed")
                continue
            for run_id, job in list(self.jobs.items()):
                if job.outcome is not None or job.cancel_action is not None or job.done.is_set():
                    continue
                if run_id not in held:
                    log.warning("run %s: lease lost to another replica; stopping it here", run_id)
                    job.cancel_action = SHUTDOWN
                    if job.task is not None:
                        job.task.cancel()
                elif held[run_id]:
                    self._spawn(RunManager.cancel(self, job, held[run_id] or "interrupt", wait=False))
