"""JSON for anything a graph can put in its state or stream (pydantic, dataclasses, Interrupt...)."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel

from server.errors import NotStorable

OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def _default(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, (set, frozenset)):
        return list(obj)
    if isinstance(obj, bytes):
        return obj.decode("utf-8", errors="replace")
    to_json = getattr(obj, "to_json", None)
    if callable(to_json):
        try:
            return to_json()
        except Exception:  # noqa: BLE001 - fall back to a readable string below
            pass
    if hasattr(obj, "__dict__"):
        return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    return repr(obj)


def _encode(obj: Any) -> bytes:
    try:
        return orjson.dumps(obj, default=_default, option=OPTIONS)
    except TypeError as exc:  # orjson.JSONEncodeError: e.g. "Integer exceeds 64-bit range"
        raise NotStorable(f"a value cannot be stored as JSON: {exc}") from None


def dumps(obj: Any) -> str:
    return _encode(obj).decode()


def jsonable(obj: Any) -> Any:
    """A plain JSON value (dicts, lists, str, numbers) safe to store and send."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return orjson.loads(_encode(obj))
