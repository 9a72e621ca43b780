"""Runs: status, the request that made them (kwargs), output, error and usage."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select

from .common import iso
from .engine import Database
from .models import RunEventRow, RunRow, ThreadRow, utcnow

ACTIVE = ("pending", "running")


def as_api(row: RunRow) -> dict[str, Any]:
    return {
        "run_id": row.run_id,
        "thread_id": row.thread_id,
        "assistant_id": row.assistant_id,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "status": row.status,
        "metadata": row.meta or {},
        "kwargs": row.kwargs or {},
        "multitask_strategy": row.multitask_strategy,
        "cancel_reason": row.cancel_reason,
        "error": row.error,
        "usage": row.usage,
    }


class RunRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, row: RunRow, thread_changes: dict[str, Any] | None = None) -> RunRow:
        """Insert the run and (same transaction) update its thread, e.g. status busy."""
        with self.db.write() as session:
            session.add(row)
            if thread_changes:
                _touch_thread(session, row.thread_id, thread_changes)
        return row

    def get(self, run_id: str, thread_id: str | None = None) -> RunRow | None:
        with self.db.read() as session:
            row = session.get(RunRow, run_id)
        if row is None or (thread_id is not None and row.thread_id != thread_id):
            return None
        return row

    def for_thread(
        self, thread_id: str, *, limit: int = 10, offset: int = 0, status: str | None = None
    ) -> list[RunRow]:
        query = select(RunRow).where(RunRow.thread_id == thread_id)
        if status:
            query = query.where(RunRow.status == status)
        query = query.order_by(col(RunRow.created_at).desc()).offset(offset).limit(limit)
        with self.db.read() as session:
            return list(session.exec(query).all())

    def unfinished(self) -> list[RunRow]:
        query = select(RunRow).where(col(RunRow.status).in_(ACTIVE)).order_by(col(RunRow.created_at))
        with self.db.read() as session:
            return list(session.exec(query).all())

    def update(self, run_id: str, thread_changes: dict[str, Any] | None = None, **changes: Any) -> RunRow | None:
        """Change a run (and optionally its thread) in one short transaction."""
        with self.db.write() as session:
            row = session.get(RunRow, run_id)
            if row is None:
                return None
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            session.add(row)
            if thread_changes:
                _touch_thread(session, row.thread_id, thread_changes)
            return row

    def delete(self, run_id: str) -> bool:
        with self.db.write() as session:
            row = session.get(RunRow, run_id)
            if row is None:
                return False
            session.exec(delete(RunEventRow).where(col(RunEventRow.run_id) == run_id))  # type: ignore[call-overload]
            session.delete(row)
            return True


def _touch_thread(session: Any, thread_id: str, changes: dict[str, Any]) -> None:
    thread = session.get(ThreadRow, thread_id)
    if thread is None:
        return
    changes = dict(changes)
    if "metadata" in changes:
        thread.meta = {**(thread.meta or {}), **(changes.pop("metadata") or {})}
    for key, value in changes.items():
        setattr(thread, key, value)
    thread.updated_at = utcnow()
    session.add(thread)
