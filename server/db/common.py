"""Helpers shared by the repositories: timestamps as the API writes them and JSON filters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement


def iso(value: datetime | None) -> str | None:
    """SQLite drops the zone; every stored time is UTC, so put it back."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def json_filters(column: Any, wanted: dict[str, Any] | None) -> tuple[list[ColumnElement[bool]], dict[str, Any]]:
    """SQL conditions for scalar top-level keys; nested values are returned for a Python check."""
    conditions: list[ColumnElement[bool]] = []
    rest: dict[str, Any] = {}
    for key, value in (wanted or {}).items():
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and key.isidentifier():
            conditions.append(func.json_extract(column, f"$.{key}") == value)
        else:
            rest[key] = value
    return conditions, rest


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
