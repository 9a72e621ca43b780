"""Creating and changing crons: every check a run would get happens now, not at the first firing.

A cron that is accepted can fire: its schedule parses and has a next slot, its assistant and
thread exist, and its run body passes the same checks as POST /threads/{id}/runs (fields,
context keys, node names, the graph's input). Otherwise the answer is a 4xx naming the field.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from server.db.cron_tables import CronRow
from server.db.crons import CronRepo
from server.db.models import utcnow
from server.errors import ApiError
from server.runs.checks import check_run, invalid
from server.runs.manager import RunManager
from server.runs.schemas import RunCreate
from server.runs.serde import jsonable

from . import schedule as cron_schedule
from .schemas import CronCreate, CronPatch, ThreadCronCreate

#: Run metadata keys each firing adds, so a run can be traced to its cron and slot.
CRON_ID_KEY, SLOT_KEY = "cron_id", "cron_slot"


def run_body(assistant_id: str, payload: dict[str, Any], on_completion: str | None, **metadata: Any) -> RunCreate:
    """The run a cron fires (RunCreate validates it: a ValidationError answers 422 naming the field)."""
    body = {**payload, "assistant_id": assistant_id}
    if metadata:
        body["metadata"] = {**(payload.get("metadata") or {}), **metadata}
    if on_completion:
        body["on_completion"] = on_completion
    return RunCreate.model_validate(body)


def _check_schedule(expression: str, timezone: str | None, now: datetime) -> datetime:
    try:
        return cron_schedule.check(expression, timezone, now)
    except cron_schedule.ScheduleError as exc:
        raise invalid(exc.field, exc.message) from None


class CronService:
    """The cron endpoints' work; `changed` wakes this replica's scheduler (a sooner slot may exist)."""

    def __init__(self, repo: CronRepo, runs: RunManager, changed: Callable[[], None] = lambda: None) -> None:
        self.repo, self.runs, self.changed = repo, runs, changed

    def get(self, cron_id: str) -> CronRow:
        row = self.repo.get(cron_id)
        if row is None:
            raise ApiError(404, "not_found", f"cron {cron_id!r} not found")
        return row

    async def _check_run(self, thread_id: str | None, body: RunCreate) -> None:
        await check_run(self.runs, thread_id, body)
        self.runs.check_input(self.runs.assistant(body.assistant_id).graph_id, body.input)

    async def create(self, thread_id: str | None, body: ThreadCronCreate) -> CronRow:
        now = utcnow()
        first = _check_schedule(body.schedule, body.timezone, now)
        assistant = self.runs.assistant(body.assistant_id)  # 404 unknown, 409 graph not loaded
        if thread_id is not None and not self.runs.threads.exists(thread_id):
            raise ApiError(404, "not_found", f"thread {thread_id!r} not found")
        on_completion = body.on_run_completed if isinstance(body, CronCreate) else None
        payload = jsonable(body.run_fields())  # NotStorable (422) for an integer beyond 64 bits
        await self._check_run(thread_id, run_body(assistant.assistant_id, payload, on_completion))
        row = CronRow(
            cron_id=str(uuid.uuid4()), assistant_id=assistant.assistant_id, thread_id=thread_id,
            schedule=body.schedule, timezone=body.timezone, on_run_completed=on_completion,
            end_time=body.end_time, enabled=body.enabled, payload=payload, meta=payload.get("metadata", {}),
            next_run_date=first if body.end_time is None or first <= body.end_time else None,
        )
        self.repo.create(row)
        self.changed()
        return row

    async def update(self, cron_id: str, body: CronPatch) -> CronRow:
        row = self.get(cron_id)
        sent = body.model_fields_set
        if not sent:
            raise invalid("body", "name at least one field to change")
        if body.on_run_completed is not None and row.thread_id is not None:
            raise invalid("on_run_completed", f"this cron runs on thread {row.thread_id!r}; only a stateless "
                                              "cron's runs have threads of their own to delete or keep")
        expression = body.schedule if body.schedule is not None else row.schedule
        timezone = body.timezone if "timezone" in sent else row.timezone
        end_time = body.end_time if "end_time" in sent else row.end_time
        enabled = body.enabled if body.enabled is not None else row.enabled
        on_completion = body.on_run_completed or row.on_run_completed
        now = utcnow()
        _check_schedule(expression, timezone, now)
        payload = {**(row.payload or {}), **jsonable(body.run_fields())}
        await self._check_run(row.thread_id, run_body(row.assistant_id, payload, on_completion))
        changes: dict[str, Any] = {
            "schedule": expression, "timezone": timezone, "end_time": end_time, "enabled": enabled,
            "on_run_completed": on_completion, "payload": payload,
        }
        if body.metadata is not None:
            changes["meta"] = payload["metadata"]
        if sent & {"schedule", "timezone", "end_time", "enabled"}:  # the next slot counts from now
            changes["next_run_date"] = cron_schedule.following(expression, timezone, now, end_time)
        updated = self.repo.update(cron_id, **changes)
        if updated is None:
            raise ApiError(404, "not_found", f"cron {cron_id!r} not found")
        self.changed()
        return updated

    def delete(self, cron_id: str) -> None:
        if not self.repo.delete(cron_id):
            raise ApiError(404, "not_found", f"cron {cron_id!r} not found")

    def resolve_assistant(self, assistant_id: str | None) -> str | None:
        """A search by graph name finds the crons of its built-in assistant, as LangGraph Server's does."""
        if not assistant_id:
            return None
        row = self.runs.assistants.get(assistant_id)
        return row.assistant_id if row is not None else assistant_id


__all__ = ["CRON_ID_KEY", "SLOT_KEY", "CronService", "run_body"]
