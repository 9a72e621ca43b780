"""Agent Protocol runs (LangGraph Server's shape): background, streamed (SSE) and waited,
on a thread or stateless; join, join the stream, cancel and delete.

SSE: `metadata` first ({"run_id", "attempt"}), then one event per requested mode (named
after the mode; messages-tuple is `messages`), `error` ({"error", "message"}) if the run
fails. Like LangGraph Server there is no `end` event: the stream closes, and the
Location header lets the SDK check the run's status and reconnect with Last-Event-ID.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse, ServerSentEvent

from server.db.runs import as_api
from server.errors import MAX_OFFSET, ApiError
from server.runs import RunManager
from server.runs.checks import check_run
from server.runs.manager import RunJob
from server.runs.modes import API_MODES
from server.runs.schemas import RunCreate, StrictBody

router = APIRouter(tags=["runs"])
#: The cancel reason of a run whose client went away with on_disconnect=cancel.
CLIENT_LEFT = "cancelled: the client disconnected (on_disconnect=cancel)"
ALWAYS_SENT = {"metadata", "error"}


class BatchRun(RunCreate):
    """One run of POST /runs/batch: stateless unless it names a thread (as the SDK's RunCreate may)."""

    thread_id: str | None = None


MAX_BATCH = 100


class CancelMany(StrictBody):
    thread_id: str | None = None
    run_ids: list[str] | None = None
    status: Literal["pending", "running", "all"] | None = None


_pending: set[asyncio.Task[None]] = set()


def _background(work: Coroutine[Any, Any, None]) -> None:
    """Fire-and-forget, keeping a reference so the task is not garbage-collected."""
    task = asyncio.ensure_future(work)
    _pending.add(task)
    task.add_done_callback(_pending.discard)


def manager_of(request: Request) -> RunManager:
    manager: RunManager = request.app.state.runs
    return manager


def _locations(thread_id: str, run_id: str) -> dict[str, str]:
    return {
        "Location": f"/threads/{thread_id}/runs/{run_id}/stream",
        "Content-Location": f"/threads/{thread_id}/runs/{run_id}",
    }


def _wanted(modes: list[str] | None) -> set[str] | None:
    """SSE event names to pass for the requested modes (None: everything)."""
    if not modes:
        return None
    names = set(ALWAYS_SENT)
    for mode in modes:
        names.add({"messages-tuple": "messages"}.get(mode, mode))
        if mode == "messages":
            names.update({"messages/metadata", "messages/partial", "messages/complete"})
    return names


def _sse(
    manager: RunManager, run_id: str, after_seq: int = -1, modes: list[str] | None = None,
    on_disconnect: Any = None,
) -> AsyncIterator[ServerSentEvent]:
    wanted = _wanted(modes)

    async def events() -> AsyncIterator[ServerSentEvent]:
        finished = False
        try:
            async for seq, event, data in manager.hub.replay(run_id, after_seq):
                if wanted is None or event in wanted:
                    yield ServerSentEvent(data=data, event=event, id=str(seq))
            finished = True
        finally:
            if not finished and on_disconnect is not None:
                on_disconnect()

    return events()


def _stream_response(manager: RunManager, job: RunJob) -> EventSourceResponse:
    def cancel() -> None:
        if job.body.on_disconnect == "cancel" and not job.done.is_set():
            _background(manager.cancel(job, CLIENT_LEFT, wait=False))

    return EventSourceResponse(
        _sse(manager, job.run_id, on_disconnect=cancel), headers=_locations(job.thread_id, job.run_id), ping=15
    )


async def _create(manager: RunManager, thread_id: str | None, body: RunCreate) -> RunJob:
    """Refuse what the graph or thread cannot honour (before anything exists), then create the run."""
    await check_run(manager, thread_id, body)
    return await manager.create(thread_id, body)


async def _disconnected(request: Request) -> None:
    """Return once the client has gone: its body is read, so the next ASGI message is the disconnect."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _until_done_or_gone(manager: RunManager, job: RunJob, request: Request) -> None:
    """on_disconnect=cancel for a waited run: a client that leaves before the run ends cancels it."""
    gone = asyncio.ensure_future(_disconnected(request))
    done = asyncio.ensure_future(job.done.wait())
    try:
        await asyncio.wait({gone, done}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in (gone, done):
            waiter.cancel()
    if gone.done() and not gone.cancelled() and not job.done.is_set():
        await manager.cancel(job, CLIENT_LEFT, wait=True)


async def _wait(job: RunJob, manager: RunManager | None = None, request: Request | None = None) -> dict[str, Any]:
    if manager is not None and request is not None and job.body.on_disconnect == "cancel":
        await _until_done_or_gone(manager, job, request)
    await job.done.wait()
    return job.outcome.response() if job.outcome else {}


def _run(manager: RunManager, thread_id: str, run_id: str) -> Any:
    row = manager.runs.get(run_id, thread_id)
    if row is None:
        raise ApiError(404, "not_found", f"run {run_id!r} not found on thread {thread_id!r}")
    return row


# -- on a thread ------------------------------------------------------------------------------
@router.post("/threads/{thread_id}/runs")
async def create_run(thread_id: str, body: RunCreate, request: Request) -> JSONResponse:
    manager = manager_of(request)
    job = await _create(manager, thread_id, body)
    row = _run(manager, job.thread_id, job.run_id)
    return JSONResponse(as_api(row), headers=_locations(job.thread_id, job.run_id))


@router.post("/threads/{thread_id}/runs/stream")
async def stream_run(thread_id: str, body: RunCreate, request: Request) -> EventSourceResponse:
    manager = manager_of(request)
    return _stream_response(manager, await _create(manager, thread_id, body))


@router.post("/threads/{thread_id}/runs/wait")
async def wait_run(thread_id: str, body: RunCreate, request: Request) -> JSONResponse:
    manager = manager_of(request)
    job = await _create(manager, thread_id, body)
    return JSONResponse(await _wait(job, manager, request), headers=_locations(job.thread_id, job.run_id))


@router.get("/threads/{thread_id}/runs")
async def list_runs(
    thread_id: str, request: Request, limit: int = Query(10, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    status: Literal["pending", "running", "error", "success", "timeout", "interrupted"] | None = None,
    select: list[str] | None = Query(None),
) -> list[dict[str, Any]]:
    manager = manager_of(request)
    if manager.threads.get(thread_id) is None:
        raise ApiError(404, "not_found", f"thread {thread_id!r} not found")
    rows = manager.runs.for_thread(thread_id, limit=limit, offset=offset, status=status)
    items = [as_api(r) for r in rows]
    return [{k: v for k, v in i.items() if k in select} for i in items] if select else items


@router.get("/threads/{thread_id}/runs/{run_id}")
async def get_run(thread_id: str, run_id: str, request: Request) -> dict[str, Any]:
    return as_api(_run(manager_of(request), thread_id, run_id))


@router.get("/threads/{thread_id}/runs/{run_id}/join")
async def join_run(thread_id: str, run_id: str, request: Request) -> dict[str, Any]:
    manager = manager_of(request)
    row = _run(manager, thread_id, run_id)
    job = await manager.find(run_id)
    if job is not None:
        return await _wait(job)
    if row.status == "error" and row.error:
        return {"__error__": row.error}
    if row.output is not None:
        return dict(row.output)
    thread = manager.threads.get(thread_id)
    return dict(thread.values or {}) if thread else {}


@router.get("/threads/{thread_id}/runs/{run_id}/stream")
async def join_stream(
    thread_id: str, run_id: str, request: Request, cancel_on_disconnect: bool = False,
    stream_mode: list[str] | None = Query(None),
) -> EventSourceResponse:
    manager = manager_of(request)
    _run(manager, thread_id, run_id)
    modes = [m for m in stream_mode or [] if m]  # the SDK sends an empty value for "all modes"
    unknown = [m for m in modes if m not in API_MODES]
    if unknown:
        raise ApiError(422, "invalid_input", f"stream_mode: unknown mode(s) {', '.join(unknown)}",
                       fields=[{"field": "stream_mode", "message": "unknown stream mode"}])
    last = request.headers.get("last-event-id")
    after = int(last) if last and last.lstrip("-").isdigit() else -1
    job = await manager.find(run_id)

    def cancel() -> None:
        if cancel_on_disconnect and job is not None and not job.done.is_set():
            _background(manager.cancel(job, CLIENT_LEFT, wait=False))

    return EventSourceResponse(
        _sse(manager, run_id, after, modes, cancel), headers=_locations(thread_id, run_id), ping=15
    )


@router.post("/threads/{thread_id}/runs/{run_id}/cancel")
async def cancel_run(
    thread_id: str, run_id: str, request: Request, wait: bool = False,
    action: Literal["interrupt", "rollback"] = "interrupt",
) -> Response:
    manager = manager_of(request)
    row = _run(manager, thread_id, run_id)
    job = await manager.find(run_id)
    if job is None:
        raise ApiError(409, "conflict", f"run {run_id!r} is {row.status}, not pending or running")
    await manager.cancel(job, action, wait=wait)
    return Response(status_code=204 if wait else 202)


@router.delete("/threads/{thread_id}/runs/{run_id}", status_code=204)
async def delete_run(thread_id: str, run_id: str, request: Request) -> Response:
    manager = manager_of(request)
    _run(manager, thread_id, run_id)
    if await manager.find(run_id) is not None:
        raise ApiError(409, "conflict", f"run {run_id!r} is still active; cancel it first")
    manager.runs.delete(run_id)
    return Response(status_code=204)


# -- stateless --------------------------------------------------------------------------------
@router.post("/runs")
async def create_stateless(body: RunCreate, request: Request) -> JSONResponse:
    manager = manager_of(request)
    job = await _create(manager, None, body)
    return JSONResponse(as_api(_run(manager, job.thread_id, job.run_id)), headers=_locations(job.thread_id, job.run_id))


@router.post("/runs/stream")
async def stream_stateless(body: RunCreate, request: Request) -> EventSourceResponse:
    manager = manager_of(request)
    return _stream_response(manager, await _create(manager, None, body))


@router.post("/runs/wait")
async def wait_stateless(body: RunCreate, request: Request) -> JSONResponse:
    manager = manager_of(request)
    job = await _create(manager, None, body)
    return JSONResponse(await _wait(job, manager, request), headers=_locations(job.thread_id, job.run_id))


@router.post("/runs/cancel", status_code=204)
async def cancel_many(
    body: CancelMany, request: Request, action: Literal["interrupt", "rollback"] = "interrupt"
) -> Response:
    manager = manager_of(request)
    wanted: set[str] = {"pending", "running"} if body.status in (None, "all") else {str(body.status)}
    await manager.cancel_where(thread_id=body.thread_id, run_ids=body.run_ids, statuses=wanted, action=action)
    return Response(status_code=204)


@router.post("/runs/batch")
async def create_batch(
    body: Annotated[list[BatchRun], Body(max_length=MAX_BATCH)], request: Request
) -> list[dict[str, Any]]:
    """Background runs, all or none: every item is checked before any run is created (an error names
    its index), and runs already created are rolled back if a later one cannot be."""
    manager = manager_of(request)
    for index, item in enumerate(body):
        try:
            await _check_batch_item(manager, item)
        except ApiError as exc:
            raise _at_index(exc, index) from None
    jobs: list[RunJob] = []
    for index, item in enumerate(body):
        try:
            jobs.append(await manager.create(item.thread_id, item))
        except ApiError as exc:  # e.g. a thread made busy meanwhile with multitask_strategy reject
            for job in jobs:
                await manager.cancel(job, "rollback", wait=True)
            raise _at_index(exc, index) from None
    return [as_api(_run(manager, job.thread_id, job.run_id)) for job in jobs]


async def _check_batch_item(manager: RunManager, item: BatchRun) -> None:
    """What create() would refuse, refused before any run of the batch exists."""
    await check_run(manager, item.thread_id, item)
    assistant = manager.assistant(item.assistant_id)
    if item.command is None:
        manager.check_input(assistant.graph_id, item.input)
    if item.thread_id is not None and item.if_not_exists != "create" and not manager.threads.exists(item.thread_id):
        raise ApiError(404, "not_found", f"thread {item.thread_id!r} not found",
                       fields=[{"field": "thread_id", "message": "no such thread"}])


def _at_index(exc: ApiError, index: int) -> ApiError:
    """The same error, naming the batch item: `[2] ...` and fields `2.<field>`."""
    fields = exc.extra.get("fields") or [{"field": "", "message": exc.message}]
    named = [{**f, "field": f"{index}.{f['field']}".rstrip(".")} for f in fields]
    return ApiError(exc.status, exc.code, f"[{index}] {exc.message}", **{**exc.extra, "fields": named})
