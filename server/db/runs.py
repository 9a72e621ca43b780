"""Runs: status, the request that made them (kwargs), output, error and usage."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, update
from sqlalchemy.engine import Connection
from sqlmodel import col, select

from .common import iso
from .engine import Database
from .models import RunEventRow, RunRow, ThreadRow, utcnow

ACTIVE = ("pending", "running")
RUNS: Table = RunRow.__table__  # type: ignore[attr-defined]
THREADS: Table = ThreadRow.__table__  # type: ignore[attr-defined]

# Built once: the SET clause comes from each execution's parameters, so no statement objects
# are made per call (building them was a third of a run's database time).
INSERT_RUN = insert(RUNS)
UPDATE_RUN = update(RUNS).where(RUNS.c.run_id == bindparam("_run_id")).returning(RUNS.c.thread_id)
UPDATE_THREAD = update(THREADS).where(THREADS.c.thread_id == bindparam("_thread_id"))
THREAD_METADATA = select(THREADS.c.metadata).where(THREADS.c.thread_id == bindparam("_thread_id"))


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
        values = row.model_dump()
        values["metadata"] = values.pop("meta")
        with self.db.begin() as conn:
            conn.execute(INSERT_RUN, values)
            if thread_changes:
                _touch_thread(conn, row.thread_id, thread_changes)
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

    def update(self, run_id: str, thread_changes: dict[str, Any] | None = None, **changes: Any) -> bool:
        """Change a run (and optionally its thread) in one short transaction.

        Plain UPDATE statements, not ORM loads: this runs several times per run, on the hot path."""
        with self.db.begin() as conn:
            found = conn.execute(UPDATE_RUN, {**changes, "updated_at": utcnow(), "_run_id": run_id}).first()
            if found is None:
                return False
            if thread_changes:
                _touch_thread(conn, found[0], thread_changes)
            return True

    def delete(self, run_id: str) -> bool:
        with self.db.write() as session:
            row = session.get(RunRow, run_id)
            if row is None:
                return False
            session.exec(delete(RunEventRow).where(col(RunEventRow.run_id) == run_id))  # type: ignore[call-overload]
            session.delete(row)
            return True


def _touch_thread(conn: Connection, thread_id: str, changes: dict[str, Any]) -> None:
    values = dict(changes)
    if "metadata" in values:  # merged into the stored metadata, so read it first
        stored = conn.execute(THREAD_METADATA, {"_thread_id": thread_id}).first()
        if stored is None:
            return
        merged = {**(stored[0] or {}), **(values["metadata"] or {})}
        if merged == stored[0]:
            del values["metadata"]  # unchanged (every later run of a thread): no JSON to rewrite
        else:
            values["metadata"] = merged
    conn.execute(UPDATE_THREAD, {**values, "updated_at": utcnow(), "_thread_id": thread_id})
