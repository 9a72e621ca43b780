"""What the dashboard's Threads studio needs beyond the Agent Protocol: run summaries with their
timing (the protocol's run record has no start/end times), and each graph's Mermaid diagram."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query, Request

from server.db.common import iso
from server.db.models import RunRow
from server.db.runs import as_api
from server.errors import MAX_OFFSET, ApiError
from server.runs import RunManager

router = APIRouter(prefix="/api", tags=["studio"])


def _manager(request: Request) -> RunManager:
    manager: RunManager = request.app.state.runs
    return manager


def _utc(value: datetime | None) -> datetime | None:
    """SQLite drops the zone; every stored time is UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def run_summary(row: RunRow, now: datetime | None = None) -> dict[str, Any]:
    """The protocol's run record plus graph id, start/end and duration (so far, for a running run)."""
    started, ended = _utc(row.started_at), _utc(row.ended_at)
    end = ended or (now or datetime.now(UTC) if row.status in ("pending", "running") else None)
    duration = (end - started).total_seconds() if started is not None and end is not None else None
    return {
        **as_api(row),
        "graph_id": row.graph_id or None,
        "started_at": iso(row.started_at),
        "ended_at": iso(row.ended_at),
        "duration_s": None if duration is None else max(0.0, round(duration, 3)),
    }


@router.get("/studio/threads/{thread_id}/runs")
async def thread_runs(
    thread_id: str, request: Request, limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[dict[str, Any]]:
    """A thread's runs, newest first, each with its timing."""
    manager = _manager(request)
    if manager.threads.get(thread_id) is None:
        raise ApiError(404, "not_found", f"thread {thread_id!r} not found")
    now = datetime.now(UTC)
    return [run_summary(row, now) for row in manager.runs.for_thread(thread_id, limit=limit, offset=offset)]


@router.get("/studio/threads/{thread_id}/runs/{run_id}")
async def thread_run(thread_id: str, run_id: str, request: Request) -> dict[str, Any]:
    row = _manager(request).runs.get(run_id, thread_id)
    if row is None:
        raise ApiError(404, "not_found", f"run {run_id!r} not found on thread {thread_id!r}")
    return run_summary(row)


@router.get("/graphs/{graph_id}/mermaid")
async def graph_mermaid(graph_id: str, request: Request) -> dict[str, str]:
    """LangGraph's own Mermaid flowchart of the compiled graph (the studio renders it with vendored mermaid)."""
    graphs = _manager(request).graphs
    if not graphs.has(graph_id):
        raise ApiError(404, "not_found", f"graph {graph_id!r} not found (graphs: {', '.join(sorted(graphs.names()))})")
    return {"graph_id": graph_id, "mermaid": graphs.get(graph_id).get_graph().draw_mermaid()}
