"""The crons table: one row per schedule (`client.crons.*`), on SQLite and PostgreSQL alike.

`payload` is the run body each firing creates (input, config, context, metadata, ...);
`next_run_date` is the next slot to fire, in UTC (None once `end_time` has passed). A replica
fires a slot only after moving `next_run_date` past it with a conditional UPDATE, so each
slot fires once however many replicas share the database (server.db.crons.CronRepo.claim).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from .models import _json, utcnow


class CronRow(SQLModel, table=True):
    __tablename__ = "crons"
    __table_args__ = (Index("ix_crons_enabled_next", "enabled", "next_run_date"),)

    cron_id: str = Field(primary_key=True)
    assistant_id: str = Field(index=True)
    thread_id: str | None = Field(default=None, index=True)
    schedule: str
    timezone: str | None = None
    on_run_completed: str | None = None  # stateless crons: "delete" or "keep" the run's thread
    end_time: datetime | None = None
    enabled: bool = True
    payload: dict[str, Any] = _json()
    meta: dict[str, Any] = _json("metadata")
    user_id: str | None = None
    next_run_date: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


__all__ = ["CronRow"]
