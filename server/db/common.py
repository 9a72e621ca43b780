"""Helpers shared by the repositories: timestamps as the API writes them and JSON filters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, asc, desc
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import FunctionElement

from .engine import encode_json


class json_key_equals(FunctionElement[bool]):
    """`document[key] == value` for a JSON column, compiled for each engine.

    SQLite: `json_extract(doc, '$.key') = value`. PostgreSQL: `CAST(doc AS JSONB) -> 'key' =
    CAST(value AS JSONB)`, so 1 and 1.0 are equal as in SQLite and a string never equals a number.
    """

    type = Boolean()
    inherit_cache = True
    name = "json_key_equals"


@compiles(json_key_equals, "sqlite")
def _sqlite_key_equals(element: json_key_equals, compiler: Any, **kw: Any) -> str:
    column, path, value = list(element.clauses)
    return f"json_extract({compiler.process(column, **kw)}, {compiler.process(path, **kw)}) = " \
           f"{compiler.process(value, **kw)}"


@compiles(json_key_equals, "postgresql")
def _postgres_key_equals(element: json_key_equals, compiler: Any, **kw: Any) -> str:
    column, key, value = list(element.clauses)
    return f"(CAST({compiler.process(column, **kw)} AS JSONB) -> {compiler.process(key, **kw)}) = " \
           f"CAST({compiler.process(value, **kw)} AS JSONB)"


def iso(value: datetime | None) -> str | None:
    """SQLite drops the zone; every stored time is UTC, so put it back."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def json_filters(
    column: Any, wanted: dict[str, Any] | None, dialect: str = "sqlite"
) -> tuple[list[ColumnElement[bool]], dict[str, Any]]:
    """SQL conditions for scalar top-level keys; nested values are returned for a Python check."""
    conditions: list[ColumnElement[bool]] = []
    rest: dict[str, Any] = {}
    for key, value in (wanted or {}).items():
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and key.isidentifier():
            if dialect == "postgresql":
                conditions.append(json_key_equals(column, key, encode_json(value)))
            else:
                conditions.append(json_key_equals(column, f"$.{key}", value))
        else:
            rest[key] = value
    return conditions, rest


def sorted_by(query: Any, table: Any, sort_by: str | None, sort_order: str | None, sortable: Any) -> Any:
    """`query` ordered by a sortable column (default `created_at`), newest first unless asked otherwise."""
    column = getattr(table, sort_by if sort_by is not None and sort_by in sortable else "created_at")
    return query.order_by(desc(column) if (sort_order or "desc") == "desc" else asc(column))


def metadata_page(session: Any, query: Any, rest: dict[str, Any], limit: int, offset: int) -> list[Any]:
    """One page of `query`'s rows; metadata filters SQL cannot express (`rest`) are checked here first."""
    if rest:
        rows = [r for r in session.exec(query).all() if contains(r.meta, rest)]
        return rows[offset : offset + limit]
    return list(session.exec(query.offset(offset).limit(limit)).all())


def contains(document: Any, wanted: dict[str, Any]) -> bool:
    """True when every key of `wanted` is in `document` with an equal (or contained) value."""
    if not isinstance(document, dict):
        return not wanted
    for key, value in wanted.items():
        if key not in document:
            return False
        have = document[key]
        if isinstance(value, dict):
            if not contains(have, value):
                return False
        elif have != value:
            return False
    return True
