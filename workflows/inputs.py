"""Checking a workflow's input against its declared input schema, before a run starts.

Each graph declares a TypedDict input schema; pydantic refuses `typing.TypedDict` on
Python 3.11, so the check goes field by field. A bad input fails with `InvalidInput`
naming the field, which the API answers as 422 and the CLI as one line (exit 2).
"""

from __future__ import annotations

import typing
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter, ValidationError


class InvalidInput(ValueError):
    """A workflow input a run cannot start with; `field` names the offending key."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"input.{field}: {message}" if field else f"input: {message}")
        self.field = field
        self.message = message


@lru_cache(maxsize=64)
def _field_adapters(schema: type) -> dict[str, TypeAdapter[Any]]:
    adapters: dict[str, TypeAdapter[Any]] = {}
    for key, hint in typing.get_type_hints(schema).items():
        try:
            adapters[key] = TypeAdapter(hint)
        except Exception:  # noqa: BLE001 - a type pydantic cannot check is left to the graph
            continue
    return adapters


def validate_input(schema: Any, value: Any) -> None:
    """Raise InvalidInput for a non-object input, a missing required key or a field of the wrong type."""
    if value is None or schema is None or not isinstance(schema, type) or not hasattr(schema, "__annotations__"):
        return
    if not isinstance(value, dict):
        raise InvalidInput("", f"must be a JSON object, got {type(value).__name__}")
    for key in sorted(getattr(schema, "__required_keys__", ())):
        if key not in value:
            raise InvalidInput(key, "is required")
    for key, adapter in _field_adapters(schema).items():
        if key not in value:
            continue
        try:
            adapter.validate_python(value[key])
        except ValidationError as exc:
            first = exc.errors()[0]
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first.get("loc", ()))
            raise InvalidInput(f"{key}{where}", str(first.get("msg", "invalid"))) from None
