"""JSON for anything a graph can put in its state or stream (pydantic, dataclasses, Interrupt...)."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel

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


def dumps(obj: Any) -> str:
    return orjson.dumps(obj, default=_default, option=OPTIONS).decode()


def jsonable(obj: Any) -> Any:
    """A plain JSON value (dicts, lists, str, numbers) safe to store and send."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return orjson.loads(orjson.dumps(obj, default=_default, option=OPTIONS))
