"""Agent Protocol threads (LangGraph Server's shape): metadata, status and checkpointed state."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from langgraph.errors import InvalidUpdateError
from pydantic import AfterValidator, Field, field_validator
from sse_starlette import EventSourceResponse, ServerSentEvent

from server.db.threads import as_api
from server.errors import MAX_OFFSET, ApiError
from server.runs import RunManager
from server.runs.schemas import CheckpointRef, StrictBody, not_supported
from server.runs.serde import jsonable
from server.runs.state import thread_config
from server.runs.thread_state import ThreadStateService
from server.runs.thread_stream import parse_resume, thread_events, wanted_events

router = APIRouter(tags=["threads"])
ThreadStatus = Literal["idle", "busy", "interrupted", "error"]


class SuperstepUpdate(StrictBody):
    values: dict[str, Any] | list[Any] | None = None
    command: Any = None
    as_node: str | None = None

    @field_validator("command")
    @classmethod
    def _no_command(cls, value: Any) -> Any:
        if value is not None:
            raise not_supported("a superstep applies its values as the node's update")
        return value


class Superstep(StrictBody):
    updates: list[SuperstepUpdate] = Field(default_factory=list)


def _no_ttl(value: Any) -> Any:
    if value is not None:
        raise not_supported("threads are kept until deleted")
    return value


class ThreadCreate(StrictBody):
    thread_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    if_exists: Literal["raise", "do_nothing"] = "raise"
    supersteps: list[Superstep] | None = None
    ttl: Annotated[Any, AfterValidator(_no_ttl)] = None


class ThreadPatch(StrictBody):
    metadata: dict[str, Any] = Field(default_factory=dict)
    ttl: Annotated[Any, AfterValidator(_no_ttl)] = None


class ThreadSearch(StrictBody):
    metadata: dict[str, Any] | None = None
    values: dict[str, Any] | None = None
    ids: list[str] | None = None
    status: ThreadStatus | None = None
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)
    sort_by: Literal["thread_id", "status", "created_at", "updated_at", "state_updated_at"] | None = None
    sort_order: Literal["asc", "desc"] | None = None
    select: list[str] | None = None
    extract: dict[str, str] | None = None

    @field_validator("extract")
    @classmethod
    def _no_extract(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value:
            raise not_supported("select whole fields with `select`", {})
        return value


class ThreadCount(StrictBody):
    metadata: dict[str, Any] | None = None
    values: dict[str, Any] | None = None
    status: ThreadStatus | None = None


class StateUpdate(StrictBody):
    values: dict[str, Any] | list[Any] | None = None
    as_node: str | None = None
    checkpoint: CheckpointRef | None = None
    checkpoint_id: str | None = None


class StateAtCheckpoint(StrictBody):
    checkpoint: CheckpointRef
    subgraphs: bool = Field(default=False, description="no served graph has subgraphs: both values are the same")
    select: list[str] | None = None


class ConfigRef(StrictBody):
    """A checkpoint as LangGraph config (the JS SDK's `before`)."""

    configurable: CheckpointRef


class HistoryQuery(StrictBody):
    limit: int = Field(default=10, ge=1, le=1000)
    before: str | CheckpointRef | ConfigRef | None = None
    metadata: dict[str, Any] | None = None
    checkpoint: CheckpointRef | None = None
    select: list[str] | None = None


def manager_of(request: Request) -> RunManager:
    manager: RunManager = request.app.state.runs
    return manager


def state_of(request: Request) -> ThreadStateService:
    return ThreadStateService(manager_of(request))


def _ref(checkpoint: CheckpointRef | None, checkpoint_id: str | None = None) -> dict[str, Any] | None:
    ref = checkpoint.model_dump() if checkpoint else {}
    if checkpoint_id:
        ref["checkpoint_id"] = checkpoint_id
    return ref or None


def _select(item: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k in fields} if fields else item


@router.post("/threads")
async def create_thread(body: ThreadCreate, request: Request) -> dict[str, Any]:
    manager = manager_of(request)
    thread_id = body.thread_id or str(uuid.uuid4())
    existing = manager.threads.get(thread_id)
    if existing is not None:
        if body.if_exists == "do_nothing":
            return as_api(existing)
        raise ApiError(409, "conflict", f"thread {thread_id!r} already exists")
    graph_id = body.metadata.get("graph_id")
    if body.supersteps and not (isinstance(graph_id, str) and manager.graphs.has(graph_id)):
        raise ApiError(422, "invalid_input", "supersteps: need metadata.graph_id naming a loaded graph",
                       fields=[{"field": "metadata.graph_id", "message": "required with supersteps"}])
    graph = manager.graphs.get(graph_id) if body.supersteps and isinstance(graph_id, str) else None
    if graph is not None:
        _check_nodes(graph, body.supersteps or [])
    row = manager.threads.create(thread_id, jsonable(body.metadata))
    if graph is not None:
        config = thread_config(thread_id)
        try:
            for step in body.supersteps or []:
                for update in step.updates:
                    config = await graph.aupdate_state(config, update.values, as_node=update.as_node)
        except (InvalidUpdateError, ValueError, KeyError) as exc:  # values the graph cannot take: no thread
            await state_of(request).delete(thread_id)
            raise ApiError(422, "invalid_input", f"invalid input: supersteps: {exc}",
                           fields=[{"field": "supersteps", "message": str(exc)}]) from None
        await manager.refresh_thread(thread_id)
        row = manager.threads.get(thread_id) or row
    return as_api(row)


def _check_nodes(graph: Any, supersteps: list[Superstep]) -> None:
    """Each update is applied as one of the graph's own nodes (LangGraph would raise mid-way)."""
    nodes = [name for name in graph.nodes if not name.startswith("__")]
    for i, step in enumerate(supersteps):
        for j, update in enumerate(step.updates):
            if update.as_node is not None and update.as_node not in nodes:
                field = f"supersteps.{i}.updates.{j}.as_node"
                message = f"no node named {update.as_node!r} (nodes: {', '.join(nodes)})"
                raise ApiError(422, "invalid_input", f"invalid input: {field}: {message}",
                               fields=[{"field": field, "message": message}])


@router.post("/threads/search")
async def search_threads(body: ThreadSearch, request: Request) -> list[dict[str, Any]]:
    rows = manager_of(request).threads.search(
        metadata=body.metadata, values=body.values, ids=body.ids, status=body.status, limit=body.limit,
        offset=body.offset, sort_by=body.sort_by, sort_order=body.sort_order,
    )
    return [_select(as_api(r), body.select) for r in rows]


@router.post("/threads/count")
async def count_threads(body: ThreadCount, request: Request) -> int:
    return manager_of(request).threads.count(metadata=body.metadata, values=body.values, status=body.status)


@router.get("/threads/{thread_id}")
async def get_thread(thread_id: str, request: Request) -> dict[str, Any]:
    return as_api(state_of(request).thread(thread_id))


@router.patch("/threads/{thread_id}", response_model=None)
async def patch_thread(thread_id: str, body: ThreadPatch, request: Request) -> Response | dict[str, Any]:
    manager = manager_of(request)
    row = manager.threads.update(thread_id, metadata=jsonable(body.metadata))
    if row is None:
        raise ApiError(404, "not_found", f"thread {thread_id!r} not found")
    if request.headers.get("prefer") == "return=minimal":
        return Response(status_code=204)
    return as_api(row)


@router.delete("/threads/{thread_id}", status_code=204)
async def delete_thread(thread_id: str, request: Request) -> Response:
    await state_of(request).delete(thread_id)
    return Response(status_code=204)


@router.get("/threads/{thread_id}/state")
async def get_state(thread_id: str, request: Request) -> dict[str, Any]:
    return await state_of(request).get_state(thread_id)


@router.post("/threads/{thread_id}/state")
async def update_state(thread_id: str, body: StateUpdate, request: Request) -> dict[str, Any]:
    try:
        return await state_of(request).update_state(
            thread_id, body.values, as_node=body.as_node, checkpoint=_ref(body.checkpoint, body.checkpoint_id)
        )
    except InvalidUpdateError as exc:  # e.g. `as_node` names no node of the graph
        field = "as_node" if body.as_node else "values"
        raise ApiError(422, "invalid_input", f"invalid input: {field}: cannot update state: {exc}",
                       fields=[{"field": field, "message": str(exc)}]) from None


@router.post("/threads/{thread_id}/state/checkpoint")
async def state_at_checkpoint(thread_id: str, body: StateAtCheckpoint, request: Request) -> dict[str, Any]:
    return _select(await state_of(request).get_state(thread_id, _ref(body.checkpoint)), body.select)


@router.get("/threads/{thread_id}/state/{checkpoint_id}")
async def state_at_checkpoint_id(thread_id: str, checkpoint_id: str, request: Request) -> dict[str, Any]:
    return await state_of(request).get_state(thread_id, {"checkpoint_id": checkpoint_id})


@router.post("/threads/{thread_id}/history")
async def history(thread_id: str, body: HistoryQuery, request: Request) -> list[dict[str, Any]]:
    before: str | dict[str, Any] | None
    if isinstance(body.before, ConfigRef):
        before = body.before.configurable.model_dump()
    else:
        before = body.before.model_dump() if isinstance(body.before, CheckpointRef) else body.before
    states = await state_of(request).history(
        thread_id, limit=body.limit, before=before, metadata=body.metadata, checkpoint=_ref(body.checkpoint)
    )
    return [_select(state, body.select) for state in states]


@router.get("/threads/{thread_id}/history")
async def history_get(thread_id: str, request: Request, limit: int = 10, before: str | None = None) -> list[Any]:
    return await state_of(request).history(thread_id, limit=limit, before=before)


@router.post("/threads/{thread_id}/copy")
async def copy_thread(thread_id: str, request: Request) -> dict[str, Any]:
    return as_api(await state_of(request).copy(thread_id))


@router.get("/threads/{thread_id}/stream")
async def thread_stream(
    thread_id: str, request: Request, stream_mode: list[str] | None = Query(None),
) -> EventSourceResponse:
    """The events of the thread's runs as they happen (see server.runs.thread_stream)."""
    manager = manager_of(request)
    if not manager.threads.exists(thread_id):
        raise ApiError(404, "not_found", f"thread {thread_id!r} not found")
    wanted = wanted_events(stream_mode or [])
    resume = parse_resume(manager, thread_id, request.headers.get("last-event-id"))

    async def events() -> Any:
        async for event_id, event, data in thread_events(manager, thread_id, wanted, resume):
            yield ServerSentEvent(data=data, event=event, id=event_id)

    return EventSourceResponse(events(), ping=15)
