"""The run queue's table: one row per unfinished run, used only on PostgreSQL.

A row names the replica that owns the run (`owner`) and until when its lease holds
(`lease_expires_at`, renewed by the owner's heartbeat); an unowned row, or one whose lease
has expired, is free to claim. `cancel_action` asks the owner to cancel the run. The row is
deleted in the transaction that records the run's final status. Times are the database's
clock (UTC), so replicas' clocks never have to agree. On SQLite the table exists (one schema
for both engines) and stays empty: one process runs everything in memory.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class RunQueueRow(SQLModel, table=True):
    __tablename__ = "run_queue"
    __table_args__ = (Index("ix_run_queue_thread_queued", "thread_id", "queued_at"),)

    run_id: str = Field(primary_key=True)
    thread_id: str
    queued_at: datetime
    available_at: datetime
    owner: str | None = Field(default=None, index=True)
    lease_expires_at: datetime | None = None
    cancel_action: str | None = None
