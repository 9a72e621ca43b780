"""The key-value store (`client.store.*`), LangGraph Server's paths and shapes.

`PUT /store/items` stores a JSON object under (namespace, key); `GET` and `DELETE` take the
same pair; `POST /store/items/search` lists items under a namespace prefix, optionally
filtered on their value; `POST /store/namespaces` lists the namespaces. A bad namespace,
key or filter is a 422 naming the field; an item that is not there is a 404.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from langgraph.store.base import BaseStore, Item
from pydantic import Field, field_validator

from server.db.common import iso
from server.errors import MAX_OFFSET, ApiError
from server.runs.schemas import StrictBody
from server.store.keys import json_problem, key_problem, namespace_problem, parse_namespace
from server.store.search import search

router = APIRouter(tags=["store"])

FILTER_KEY = re.compile(r"^[A-Za-z0-9_.-]+$")
FILTER_OPS = {"$eq", "$ne", "$gt", "$gte", "$lt", "$lte"}


def _namespace(labels: list[str]) -> list[str]:
    problem = namespace_problem(labels)
    if problem:
        raise ValueError(problem)
    return labels


def _key(key: str) -> str:
    problem = key_problem(key)
    if problem:
        raise ValueError(problem)
    return key


class ItemPut(StrictBody):
    namespace: list[str]
    key: str
    value: dict[str, Any]
    index: Literal[False] | list[str] | None = None
    ttl: float | None = Field(default=None, gt=0, description="Minutes until the item expires (None: never).")

    _check_namespace = field_validator("namespace")(_namespace)
    _check_key = field_validator("key")(_key)

    @field_validator("value")
    @classmethod
    def _value(cls, value: dict[str, Any]) -> dict[str, Any]:
        problem = json_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class ItemDelete(StrictBody):
    namespace: list[str]
    key: str

    _check_namespace = field_validator("namespace")(_namespace)
    _check_key = field_validator("key")(_key)


class ItemSearch(StrictBody):
    namespace_prefix: list[str] = Field(default_factory=list)
    filter: dict[str, Any] | None = None
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)
    query: str | None = Field(default=None, max_length=2000)
    refresh_ttl: bool | None = None

    @field_validator("namespace_prefix")
    @classmethod
    def _prefix(cls, labels: list[str]) -> list[str]:
        problem = namespace_problem(labels, allow_empty=True)
        if problem:
            raise ValueError(problem)
        return labels

    @field_validator("filter")
    @classmethod
    def _filter(cls, wanted: dict[str, Any] | None) -> dict[str, Any] | None:
        for key, condition in (wanted or {}).items():
            if not FILTER_KEY.match(key):
                raise ValueError(f"key {key!r} may hold only letters, digits, '_', '-' and '.' (a nested path)")
            if isinstance(condition, dict):
                unknown = set(condition) - FILTER_OPS
                if unknown:
                    known = ", ".join(sorted(FILTER_OPS))
                    raise ValueError(f"{key}: unknown operator {sorted(unknown)[0]!r}; use {known}")
        problem = json_problem(wanted)
        if problem:
            raise ValueError(problem)
        return wanted


class NamespaceList(StrictBody):
    prefix: list[str] | None = None
    suffix: list[str] | None = None
    max_depth: int | None = Field(default=None, ge=1, le=100)
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)

    @field_validator("prefix", "suffix")
    @classmethod
    def _labels(cls, labels: list[str] | None) -> list[str] | None:
        problem = namespace_problem(labels or [], allow_empty=True, wildcard=True)
        if problem:
            raise ValueError(problem)
        return labels


def as_api(item: Item) -> dict[str, Any]:
    """LangGraph's item shape; times in UTC with their zone (SQLite's store writes them without one)."""
    return {**item.dict(), "created_at": iso(item.created_at), "updated_at": iso(item.updated_at)}


def store_of(request: Request) -> BaseStore:
    store: BaseStore = request.app.state.store
    return store


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_input", f"{field}: {message}", fields=[{"field": field, "message": message}])


def _not_found(namespace: tuple[str, ...], key: str) -> ApiError:
    return ApiError(404, "not_found", f"no item {key!r} in namespace {list(namespace)!r}")


@router.put("/store/items", status_code=204)
async def put_item(body: ItemPut, request: Request) -> Response:
    """Create or replace the item; `index` is accepted for compatibility (no embedding index is configured)."""
    await store_of(request).aput(tuple(body.namespace), body.key, body.value, index=body.index, ttl=body.ttl)
    return Response(status_code=204)


@router.get("/store/items")
async def get_item(
    request: Request,
    key: str = Query(),
    namespace: str = Query(default="", description="Labels joined with '.', as langgraph-sdk sends them."),
    refresh_ttl: bool | None = Query(default=None),
) -> dict[str, Any]:
    labels = parse_namespace(namespace)
    problem = namespace_problem(labels)
    if problem:
        raise _invalid("namespace", problem)
    if problem := key_problem(key):
        raise _invalid("key", problem)
    item = await store_of(request).aget(labels, key, refresh_ttl=refresh_ttl)
    if item is None:
        raise _not_found(labels, key)
    return as_api(item)


@router.delete("/store/items", status_code=204)
async def delete_item(body: ItemDelete, request: Request) -> Response:
    store = store_of(request)
    labels = tuple(body.namespace)
    if await store.aget(labels, body.key, refresh_ttl=False) is None:
        raise _not_found(labels, body.key)
    await store.adelete(labels, body.key)
    return Response(status_code=204)


@router.post("/store/items/search")
async def search_items(body: ItemSearch, request: Request) -> dict[str, Any]:
    """Items under the prefix, most recently updated first; `query` needs every one of its words in the value."""
    items = await search(
        store_of(request), tuple(body.namespace_prefix), filter=body.filter, query=body.query,
        limit=body.limit, offset=body.offset, refresh_ttl=body.refresh_ttl,
    )
    return {"items": [as_api(item) for item in items]}


@router.post("/store/namespaces")
async def list_namespaces(body: NamespaceList, request: Request) -> dict[str, Any]:
    found = await store_of(request).alist_namespaces(
        prefix=tuple(body.prefix) if body.prefix else None,
        suffix=tuple(body.suffix) if body.suffix else None,
        max_depth=body.max_depth, limit=body.limit, offset=body.offset,
    )
    return {"namespaces": [list(ns) for ns in found]}
