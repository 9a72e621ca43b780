"""Agent Protocol assistants (LangGraph Server's shape): a workflow plus its config.

Every workflow has a built-in assistant whose id is uuid5 of the graph name; the graph
name itself works as an assistant id too. User-made assistants carry their own
config.configurable (model, options, strategy...) and context.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from server.db.assistants import as_api
from server.db.models import AssistantRow
from server.errors import MAX_OFFSET, ApiError
from server.runs import RunManager
from server.runs.checks import check_context
from server.runs.graphs import graph_schemas
from server.runs.schemas import RunnableConfigBody, StrictBody
from server.runs.serde import jsonable
from server.version import VERSION

router = APIRouter(tags=["assistants"])


class AssistantCreate(StrictBody):
    graph_id: str = Field(min_length=1)
    assistant_id: str | None = None
    config: RunnableConfigBody = Field(default_factory=lambda: RunnableConfigBody())
    context: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    if_exists: Literal["raise", "do_nothing"] = "raise"
    name: str | None = None
    description: str | None = None


class AssistantPatch(StrictBody):
    graph_id: str | None = None
    config: RunnableConfigBody | None = None
    context: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    name: str | None = None
    description: str | None = None


class AssistantSearch(StrictBody):
    metadata: dict[str, Any] | None = None
    graph_id: str | None = None
    name: str | None = None
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)
    sort_by: Literal["assistant_id", "graph_id", "name", "created_at", "updated_at"] | None = None
    sort_order: Literal["asc", "desc"] | None = None
    select: list[str] | None = None


class AssistantCount(StrictBody):
    metadata: dict[str, Any] | None = None
    graph_id: str | None = None
    name: str | None = None


def manager_of(request: Request) -> RunManager:
    manager: RunManager = request.app.state.runs
    return manager


def _check_graph(manager: RunManager, graph_id: str) -> None:
    if not manager.graphs.has(graph_id):
        raise ApiError(
            422, "invalid_input",
            f"graph_id: unknown graph {graph_id!r}; choose one of {', '.join(manager.graphs.names())}",
            fields=[{"field": "graph_id", "message": "unknown graph"}],
        )


def _found(manager: RunManager, assistant_id: str) -> AssistantRow:
    row = manager.assistants.get(assistant_id)
    if row is None:
        raise ApiError(404, "not_found", f"assistant {assistant_id!r} not found")
    return row


def _select(item: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k in fields} if fields else item


@router.get("/info")
async def info() -> dict[str, Any]:
    """Server capabilities, as Agent Protocol clients (agent-chat-ui, the SDK) probe them."""
    return {"version": VERSION, "server": "thinkroom", "flags": {"assistants": True, "crons": True, "store": True}}


@router.post("/assistants")
async def create_assistant(body: AssistantCreate, request: Request) -> dict[str, Any]:
    manager = manager_of(request)
    _check_graph(manager, body.graph_id)
    check_context(manager.graphs.get(body.graph_id), body.context)
    assistant_id = body.assistant_id or str(uuid.uuid4())
    existing = manager.assistants.get(assistant_id) if body.assistant_id else None
    if existing is not None and existing.assistant_id == assistant_id:
        if body.if_exists == "do_nothing":
            return as_api(existing)
        raise ApiError(409, "conflict", f"assistant {assistant_id!r} already exists")
    row = manager.assistants.create(
        assistant_id=assistant_id, graph_id=body.graph_id, name=body.name or body.graph_id,
        description=body.description, config=jsonable(body.config), context=jsonable(body.context),
        meta=jsonable(body.metadata),
    )
    return as_api(row)


@router.post("/assistants/search")
async def search_assistants(body: AssistantSearch, request: Request, response: Response) -> list[dict[str, Any]]:
    manager = manager_of(request)
    manager.assistants.sync_builtins(manager.graphs.names())  # graphs registered since start-up
    rows = manager.assistants.search(
        metadata=body.metadata, graph_id=body.graph_id, name=body.name, limit=body.limit + 1, offset=body.offset,
        sort_by=body.sort_by, sort_order=body.sort_order,
    )
    if len(rows) > body.limit:
        response.headers["X-Pagination-Next"] = str(body.offset + body.limit)
    return [_select(as_api(r), body.select) for r in rows[: body.limit]]


@router.post("/assistants/count")
async def count_assistants(body: AssistantCount, request: Request) -> int:
    return manager_of(request).assistants.count(metadata=body.metadata, graph_id=body.graph_id, name=body.name)


@router.get("/assistants/{assistant_id}")
async def get_assistant(assistant_id: str, request: Request) -> dict[str, Any]:
    return as_api(_found(manager_of(request), assistant_id))


@router.patch("/assistants/{assistant_id}")
async def patch_assistant(assistant_id: str, body: AssistantPatch, request: Request) -> dict[str, Any]:
    manager = manager_of(request)
    row = _found(manager, assistant_id)
    if body.graph_id:
        _check_graph(manager, body.graph_id)
    if body.graph_id or body.context is not None:  # the context the assistant will have, on the graph it will run
        context = body.context if body.context is not None else (row.context or {})
        check_context(manager.graphs.get(body.graph_id or row.graph_id), context)
    changes: dict[str, Any] = {}
    for key, column in (("graph_id", "graph_id"), ("name", "name"), ("description", "description")):
        if getattr(body, key) is not None:
            changes[column] = getattr(body, key)
    if body.config is not None:
        changes["config"] = jsonable(body.config)
    if body.context is not None:
        changes["context"] = jsonable(body.context)
    if body.metadata is not None:
        changes["meta"] = {**(row.meta or {}), **jsonable(body.metadata)}
    updated = manager.assistants.update(row.assistant_id, changes)
    if updated is None:
        raise ApiError(404, "not_found", f"assistant {assistant_id!r} not found")
    return as_api(updated)


@router.delete("/assistants/{assistant_id}", status_code=204)
async def delete_assistant(assistant_id: str, request: Request) -> Response:
    manager = manager_of(request)
    row = _found(manager, assistant_id)
    if row.builtin:
        agent = (row.meta or {}).get("agent")
        owner = f"agent {agent!r}" if agent else f"graph {row.graph_id!r}"
        raise ApiError(409, "conflict", f"assistant {assistant_id!r} is the system assistant of {owner}")
    manager.assistants.delete(row.assistant_id)
    return Response(status_code=204)


@router.get("/assistants/{assistant_id}/graph")
async def assistant_graph(
    assistant_id: str, request: Request, xray: bool | int = Query(default=False)
) -> dict[str, Any]:
    manager = manager_of(request)
    row = manager.assistant(assistant_id)
    drawable = manager.graphs.get(row.graph_id).get_graph(xray=xray)
    result: dict[str, Any] = jsonable(drawable.to_json())
    return result


@router.get("/assistants/{assistant_id}/schemas")
async def assistant_schemas(assistant_id: str, request: Request) -> dict[str, Any]:
    manager = manager_of(request)
    row = manager.assistant(assistant_id)
    return graph_schemas(manager.graphs.get(row.graph_id), row.graph_id)


@router.get("/assistants/{assistant_id}/subgraphs")
async def assistant_subgraphs(assistant_id: str, request: Request) -> dict[str, Any]:
    manager = manager_of(request)
    row = manager.assistant(assistant_id)
    graph = manager.graphs.get(row.graph_id)
    return {ns: graph_schemas(sub, f"{row.graph_id}|{ns}") for ns, sub in graph.get_subgraphs()}  # type: ignore[arg-type]
