"""Crons: create, read, change, list, and claim a due slot exactly once across replicas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, asc, func, update
from sqlmodel import col, select

from .common import iso, json_filters, metadata_page, sorted_by
from .cron_tables import CronRow
from .engine import Database
from .models import utcnow

CRONS: Table = CronRow.__table__  # type: ignore[attr-defined]
SORTABLE = {"cron_id", "assistant_id", "thread_id", "created_at", "updated_at", "next_run_date", "end_time"}
FIELDS = (
    "cron_id", "assistant_id", "thread_id", "on_run_completed", "end_time", "schedule", "timezone",
    "created_at", "updated_at", "payload", "user_id", "next_run_date", "metadata", "enabled",
)


def as_api(row: CronRow, select_fields: list[str] | None = None) -> dict[str, Any]:
    """LangGraph Server's Cron shape (`select` keeps only the named fields)."""
    out: dict[str, Any] = {
        "cron_id": row.cron_id,
        "assistant_id": row.assistant_id,
        "thread_id": row.thread_id,
        "on_run_completed": row.on_run_completed,
        "end_time": iso(row.end_time),
        "schedule": row.schedule,
        "timezone": row.timezone,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "payload": row.payload or {},
        "user_id": row.user_id,
        "next_run_date": iso(row.next_run_date),
        "metadata": row.meta or {},
        "enabled": row.enabled,
    }
    if select_fields:
        return {key: out[key] for key in select_fields}
    return out


class CronRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, row: CronRow) -> CronRow:
        with self.db.write() as session:
            session.add(row)
        return row

    def get(self, cron_id: str) -> CronRow | None:
        with self.db.read() as session:
            return session.get(CronRow, cron_id)

    def update(self, cron_id: str, **changes: Any) -> CronRow | None:
        with self.db.write() as session:
            row = session.get(CronRow, cron_id)
            if row is None:
                return None
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            session.add(row)
            return row

    def delete(self, cron_id: str) -> bool:
        with self.db.begin() as conn:
            return bool(conn.execute(CRONS.delete().where(CRONS.c.cron_id == cron_id)).rowcount)

    def search(
        self,
        *,
        assistant_id: str | None = None,
        thread_id: str | None = None,
        enabled: bool | None = None,
        metadata: dict[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: str | None = None,
        sort_order: str | None = None,
    ) -> list[CronRow]:
        conditions, rest = json_filters(CronRow.meta, metadata, self.db.dialect)  # type: ignore[arg-type]
        query = select(CronRow).where(*conditions)
        if assistant_id:
            query = query.where(CronRow.assistant_id == assistant_id)
        if thread_id:
            query = query.where(CronRow.thread_id == thread_id)
        if enabled is not None:
            query = query.where(col(CronRow.enabled).is_(enabled))
        query = sorted_by(query, CronRow, sort_by, sort_order, SORTABLE).order_by(asc(CronRow.cron_id))
        with self.db.read() as session:
            return metadata_page(session, query, rest, limit, offset)

    def count(self, **filters: Any) -> int:
        return len(self.search(limit=10_000_000, **filters))

    # -- the scheduler --------------------------------------------------------------------
    def due(self, now: datetime, limit: int = 100) -> list[CronRow]:
        """Enabled crons whose next slot has come, oldest slot first."""
        query = (
            select(CronRow)
            .where(col(CronRow.enabled).is_(True), col(CronRow.next_run_date).is_not(None))
            .where(col(CronRow.next_run_date) <= now)
            .order_by(asc(col(CronRow.next_run_date)))
            .limit(limit)
        )
        with self.db.read() as session:
            return list(session.exec(query).all())

    def earliest(self) -> datetime | None:
        """The soonest slot of any enabled cron (the scheduler sleeps until then)."""
        query = select(func.min(CronRow.next_run_date)).where(col(CronRow.enabled).is_(True))
        with self.db.read() as session:
            value = session.exec(query).one()
        return value  # type: ignore[return-value]

    def claim(self, cron_id: str, slot: datetime, following: datetime | None) -> bool:
        """Move the cron's next slot from `slot` to `following`; True for the one caller that did.

        A conditional UPDATE: on PostgreSQL concurrent replicas serialise on the row and the
        losers match nothing (READ COMMITTED re-checks the WHERE after the winner commits); on
        SQLite writers are serialised anyway. So exactly one replica fires each slot."""
        statement = (
            update(CRONS)
            .where(CRONS.c.cron_id == cron_id, CRONS.c.next_run_date == slot, CRONS.c.enabled.is_(True))
            .values(next_run_date=following)
        )
        with self.db.begin() as conn:
            return bool(conn.execute(statement).rowcount)


__all__ = ["CRONS", "FIELDS", "SORTABLE", "CronRepo", "as_api"]
