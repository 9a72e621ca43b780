"""Threads: metadata, status and a cache of the latest values (the checkpoints hold the truth)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import asc, bindparam, delete, desc
from sqlmodel import col, select

from .common import contains, iso, json_filters
from .cron_tables import CronRow
from .engine import Database
from .models import RunEventRow, RunRow, ThreadRow, utcnow

THREAD_EXISTS = select(ThreadRow.thread_id).where(ThreadRow.thread_id == bindparam("_thread_id"))
SORTABLE = {"thread_id", "status", "created_at", "updated_at", "state_updated_at"}


def as_api(row: ThreadRow) -> dict[str, Any]:
    return {
        "thread_id": row.thread_id,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "state_updated_at": iso(row.updated_at),
        "metadata": row.meta or {},
        "status": row.status,
        "values": row.values,
        "interrupts": row.interrupts or {},
        "config": row.config or {},
        "error": row.error,
    }


class ThreadRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def exists(self, thread_id: str) -> bool:
        """A core query, not an ORM session: every run on a thread asks this first."""
        with self.db.engine.connect() as conn:
            return conn.execute(THREAD_EXISTS, {"_thread_id": thread_id}).first() is not None

    def get(self, thread_id: str) -> ThreadRow | None:
        with self.db.read() as session:
            return session.get(ThreadRow, thread_id)

    def create(self, thread_id: str, metadata: dict[str, Any], *, temporary: bool = False) -> ThreadRow:
        row = ThreadRow(thread_id=thread_id, meta=metadata, temporary=temporary)
        with self.db.write() as session:
            session.add(row)
        return row

    def update(self, thread_id: str, **changes: Any) -> ThreadRow | None:
        """Set columns; `metadata` is merged into the stored metadata, not replaced."""
        with self.db.write() as session:
            row = session.get(ThreadRow, thread_id)
            if row is None:
                return None
            if "metadata" in changes:
                row.meta = {**(row.meta or {}), **(changes.pop("metadata") or {})}
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            session.add(row)
            return row

    def delete(self, thread_id: str) -> bool:
        """The thread with its runs, their events and its crons, in one transaction."""
        with self.db.write() as session:
            row = session.get(ThreadRow, thread_id)
            if row is None:
                return False
            run_ids = select(RunRow.run_id).where(RunRow.thread_id == thread_id)
            session.exec(delete(RunEventRow).where(col(RunEventRow.run_id).in_(run_ids)))  # type: ignore[call-overload]
            session.exec(delete(RunRow).where(col(RunRow.thread_id) == thread_id))  # type: ignore[call-overload]
            session.exec(delete(CronRow).where(col(CronRow.thread_id) == thread_id))  # type: ignore[call-overload]
            session.delete(row)
            return True

    def search(
        self,
        *,
        metadata: dict[str, Any] | None = None,
        values: dict[str, Any] | None = None,
        ids: list[str] | None = None,
        status: str | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: str | None = None,
        sort_order: str | None = None,
    ) -> list[ThreadRow]:
        conditions, rest = json_filters(ThreadRow.meta, metadata, self.db.dialect)  # type: ignore[arg-type]
        query = select(ThreadRow).where(*conditions).where(col(ThreadRow.temporary).is_(False))
        if ids:
            query = query.where(col(ThreadRow.thread_id).in_(ids))
        if status:
            query = query.where(ThreadRow.status == status)
        key = sort_by if sort_by in SORTABLE else "created_at"
        column = getattr(ThreadRow, "updated_at" if key == "state_updated_at" else key)
        query = query.order_by(desc(column) if (sort_order or "desc") == "desc" else asc(column))
        with self.db.read() as session:
            if rest or values:
                rows = [
                    r for r in session.exec(query).all()
                    if contains(r.meta, rest) and contains(r.values or {}, values or {})
                ]
                return rows[offset : offset + limit]
            return list(session.exec(query.offset(offset).limit(limit)).all())

    def count(self, **filters: Any) -> int:
        return len(self.search(limit=10_000_000, **filters))
