"""The tables: assistants, threads, runs, the ordered events of each run, and evaluations.

JSON columns hold already JSON-safe values (see server.runs.serde); `meta` maps to the
`metadata` column because SQLModel reserves that attribute name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _json(name: str | None = None, nullable: bool = False) -> Any:
    if name:
        return Field(default=None if nullable else {}, sa_column=Column(name, JSON, nullable=nullable))
    return Field(default=None if nullable else {}, sa_column=Column(JSON, nullable=nullable))


class AssistantRow(SQLModel, table=True):
    __tablename__ = "assistants"

    assistant_id: str = Field(primary_key=True)
    graph_id: str = Field(index=True)
    name: str = ""
    description: str | None = None
    config: dict[str, Any] = _json()
    context: dict[str, Any] = _json()
    meta: dict[str, Any] = _json("metadata")
    version: int = 1
    builtin: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ThreadRow(SQLModel, table=True):
    __tablename__ = "threads"

    thread_id: str = Field(primary_key=True)
    meta: dict[str, Any] = _json("metadata")
    status: str = Field(default="idle", index=True)
    values: dict[str, Any] | None = _json(nullable=True)
    interrupts: dict[str, Any] = _json()
    config: dict[str, Any] = _json()
    error: dict[str, Any] | None = _json(nullable=True)
    temporary: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class RunRow(SQLModel, table=True):
    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_thread_created", "thread_id", "created_at"),)

    run_id: str = Field(primary_key=True)
    thread_id: str = Field(index=True)
    assistant_id: str
    graph_id: str = ""
    status: str = Field(default="pending", index=True)
    meta: dict[str, Any] = _json("metadata")
    multitask_strategy: str = "enqueue"
    kwargs: dict[str, Any] = _json()
    output: dict[str, Any] | None = _json(nullable=True)
    error: dict[str, Any] | None = _json(nullable=True)
    usage: dict[str, Any] | None = _json(nullable=True)
    cancel_reason: str | None = None
    attempt: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    ended_at: datetime | None = None


class RunEventRow(SQLModel, table=True):
    __tablename__ = "run_events"
    __table_args__ = (UniqueConstraint("run_id", "seq", name="uq_run_events_run_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(index=True)
    seq: int
    event: str
    data: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class EvalRow(SQLModel, table=True):
    """One evaluation (an `eval` workflow run, from the API or the CLI) and everything it measured.

    `result` is the EvalResult JSON with every item (None until the first result is stored) and
    `summary` its small part (column summaries, McNemar tests, wall time) for listings;
    `source` says who drives it: the API's run manager (`run_id`) or a CLI process (`pid`).
    """

    __tablename__ = "evals"
    __table_args__ = (Index("ix_evals_suite_created", "suite", "created_at"),)

    eval_id: str = Field(primary_key=True)
    suite: str
    status: str = Field(default="running", index=True)
    source: str = "api"
    run_id: str | None = None
    thread_id: str | None = None
    pid: int | None = None
    thinkroom_version: str = ""
    models: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    spec: dict[str, Any] = _json()
    result: dict[str, Any] | None = _json(nullable=True)
    summary: dict[str, Any] = _json()  # the result's columns, mcnemar and wall_seconds: listings skip `result`
    items_done: int = 0
    total_items: int = 0
    error: dict[str, Any] | None = _json(nullable=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
