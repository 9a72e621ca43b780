"""Request bodies of the cron endpoints, in LangGraph Server's shape (what langgraph-sdk sends).

The run fields (input, config, ...) are typed as the runs API types them; the run body they
make is validated again as a RunCreate when the cron is created or changed, so a cron never
stores a run that could not start. Unknown keys are refused (422 naming them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from server.errors import MAX_OFFSET
from server.runs.schemas import Durability, MultitaskStrategy, RunnableConfigBody, StreamModeName, StrictBody

#: The fields of a cron body that are the body of each run it fires.
RUN_FIELDS = (
    "input", "config", "context", "metadata", "checkpoint_during", "interrupt_before", "interrupt_after", "webhook",
    "multitask_strategy", "stream_mode", "stream_subgraphs", "stream_resumable", "durability",
)
CronSortBy = Literal["cron_id", "assistant_id", "thread_id", "created_at", "updated_at", "next_run_date", "end_time"]
CronField = Literal[
    "cron_id", "assistant_id", "thread_id", "on_run_completed", "end_time", "schedule", "timezone", "created_at",
    "updated_at", "payload", "user_id", "next_run_date", "metadata", "enabled",
]


def _utc(value: datetime | None) -> datetime | None:
    """A time without a zone is UTC (the SDK sends `end_time.isoformat()` as the caller made it)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class CronRunFields(StrictBody):
    """What each firing runs: the runs API's fields of the same names."""

    input: Any = None
    config: RunnableConfigBody | None = None
    context: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    checkpoint_during: bool | None = None
    interrupt_before: Literal["*"] | list[str] | None = None
    interrupt_after: Literal["*"] | list[str] | None = None
    webhook: str | None = None
    multitask_strategy: MultitaskStrategy | None = None
    stream_mode: StreamModeName | list[StreamModeName] | None = None
    stream_subgraphs: bool | None = None
    stream_resumable: bool | None = None
    durability: Durability | None = None

    def run_fields(self) -> dict[str, Any]:
        """The run fields the request set (JSON-safe)."""
        return self.model_dump(mode="json", include=set(RUN_FIELDS), exclude_unset=True, exclude_none=True)


class ThreadCronCreate(CronRunFields):
    """POST /threads/{thread_id}/runs/crons: every firing runs on this thread."""

    assistant_id: str = Field(min_length=1)
    schedule: str = Field(description="cron expression; an optional sixth field gives seconds")
    end_time: datetime | None = Field(default=None, description="no slot after this time fires")
    enabled: bool = True
    timezone: str | None = Field(default=None, description="IANA zone the schedule is read in; default UTC")

    @field_validator("end_time")
    @classmethod
    def _end_in_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class CronCreate(ThreadCronCreate):
    """POST /runs/crons: every firing runs on a new thread, deleted afterwards unless 'keep'."""

    on_run_completed: Literal["delete", "keep"] = "delete"


class CronPatch(CronRunFields):
    """PATCH /runs/crons/{cron_id}: only the fields sent change; `end_time: null` clears it."""

    schedule: str | None = None
    end_time: datetime | None = None
    enabled: bool | None = None
    timezone: str | None = None
    on_run_completed: Literal["delete", "keep"] | None = None

    @field_validator("end_time")
    @classmethod
    def _end_in_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class CronSearch(StrictBody):
    assistant_id: str | None = None
    thread_id: str | None = None
    enabled: bool | None = None
    metadata: dict[str, Any] | None = None
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)
    sort_by: CronSortBy | None = None
    sort_order: Literal["asc", "desc"] | None = None
    select: list[CronField] | None = None


class CronCount(StrictBody):
    assistant_id: str | None = None
    thread_id: str | None = None
    metadata: dict[str, Any] | None = None


__all__ = ["RUN_FIELDS", "CronCount", "CronCreate", "CronPatch", "CronRunFields", "CronSearch", "ThreadCronCreate"]
