"""The cron scheduler: one asyncio task per replica that fires due crons as ordinary runs.

Each pass reads the enabled crons whose `next_run_date` has come, and for each one first
claims the slot (moves `next_run_date` to the following slot with a conditional UPDATE;
server.db.crons.CronRepo.claim) and only then creates the run through the run manager, the
one run path. Replicas on one PostgreSQL database all run this loop; the claim lets exactly
one of them fire each slot. A claim whose run then cannot be made (the process dies in
between) loses that slot: a slot fires at most once, never twice.

After downtime a cron fires once for the slots it missed, then continues from now. Between
passes the task sleeps until the soonest slot, at most THINKROOM_CRON_TICK_S (so crons made
on another replica are seen that soon), and wakes at once when this replica changes a cron.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from server.db.cron_tables import CronRow
from server.db.crons import CronRepo
from server.errors import ApiError
from server.runs.manager import RunManager

from .schedule import ScheduleError, following
from .service import CRON_ID_KEY, SLOT_KEY, run_body

log = logging.getLogger("thinkroom.crons")
MIN_SLEEP_S = 0.02


def _now() -> datetime:
    return datetime.now(UTC)


class CronScheduler:
    def __init__(
        self, repo: CronRepo, runs: RunManager, tick_s: float, clock: Callable[[], datetime] = _now
    ) -> None:
        self.repo, self.runs, self.tick_s, self.clock = repo, runs, tick_s, clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="cron-scheduler")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.tick()
                delay = self._delay()
            except Exception:  # a database hiccup must not stop the schedule: try again next tick
                log.exception("cron scheduler pass failed")
                delay = self.tick_s
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    def _delay(self) -> float:
        soonest = self.repo.earliest()
        if soonest is None:
            return self.tick_s
        return min(self.tick_s, max(MIN_SLEEP_S, (soonest - self.clock()).total_seconds()))

    async def tick(self) -> int:
        """Fire every due slot this replica wins; returns how many it fired."""
        fired = 0
        for row in self.repo.due(self.clock()):
            slot = row.next_run_date
            assert slot is not None  # due() reads only crons with a next slot
            try:
                nxt = following(row.schedule, row.timezone, max(slot, self.clock()), row.end_time)
            except ScheduleError as exc:  # e.g. a year field whose last year has passed: this slot is the last
                log.info("cron %s: %s; this is its last slot", row.cron_id, exc.message)
                nxt = None
            if not self.repo.claim(row.cron_id, slot, nxt):
                continue  # another replica fired this slot (or the cron was changed meanwhile)
            if await self.fire(row, slot):
                fired += 1
        return fired

    async def fire(self, row: CronRow, slot: datetime) -> bool:
        """Create the slot's run; a run the server refuses is logged, and the slot is spent."""
        try:
            body = run_body(
                row.assistant_id, row.payload or {}, row.on_run_completed,
                **{CRON_ID_KEY: row.cron_id, SLOT_KEY: slot.isoformat()},
            )
            job = await self.runs.create(row.thread_id, body)
        except ApiError as exc:
            if exc.status == 404 and row.thread_id is not None and not self.runs.threads.exists(row.thread_id):
                log.warning("cron %s: thread %s is gone; deleting the cron", row.cron_id, row.thread_id)
                self.repo.delete(row.cron_id)
            else:
                log.warning("cron %s: the run for %s was refused: %s", row.cron_id, slot.isoformat(), exc.message)
            return False
        except Exception:
            log.exception("cron %s: the run for %s could not be created", row.cron_id, slot.isoformat())
            return False
        log.info("cron %s: slot %s fired run %s on thread %s", row.cron_id, slot.isoformat(), job.run_id,
                 job.thread_id)
        return True


__all__ = ["CronScheduler"]
