"""What a namespace and a key may be, checked before the store sees them so a bad one is a 422 naming it.

LangGraph's rules: a namespace is a non-empty list of non-empty string labels without '.'
(the HTTP API joins labels with dots) and its root is not "langgraph"; a key is a non-empty string.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

MAX_LABEL = 256
MAX_KEY = 1024


def namespace_problem(labels: Sequence[object], *, allow_empty: bool = False, wildcard: bool = False) -> str | None:
    """Why `labels` is not a valid namespace (None when it is). `wildcard` allows '*' labels (namespace listing)."""
    if not labels and not allow_empty:
        return "must have at least one label"
    for i, label in enumerate(labels):
        if not isinstance(label, str):
            return f"label {i} must be a string"
        if not label:
            return f"label {i} is empty"
        if "." in label:
            return f"label {label!r} contains '.', which separates labels"
        if "\x00" in label:
            return f"label {i} contains a NUL character"
        if len(label) > MAX_LABEL:
            return f"label {i} is longer than {MAX_LABEL} characters"
        if label == "*" and not wildcard:
            return "label '*' is only a wildcard in namespace listing"
    if labels and labels[0] == "langgraph":
        return "the root label 'langgraph' is reserved"
    return None


def key_problem(key: str) -> str | None:
    """Why `key` is not a valid item key (None when it is)."""
    if not key:
        return "must not be empty"
    if len(key) > MAX_KEY:
        return f"is longer than {MAX_KEY} characters"
    if "\x00" in key:
        return "contains a NUL character"
    return None


def json_problem(value: object) -> str | None:
    """Why `value` cannot be stored by both stores (None when it can): PostgreSQL's JSONB holds no
    NUL character, and neither store holds an integer beyond 64 bits."""
    try:
        orjson.dumps(value)
    except TypeError as exc:  # orjson.JSONEncodeError, e.g. "Integer exceeds 64-bit range"
        return f"cannot be stored as JSON: {exc}"
    if _has_nul(value):
        return "contains a NUL character (\\u0000), which the store cannot hold"
    return None


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def parse_namespace(dotted: str) -> tuple[str, ...]:
    """The namespace of a query string (`a.b.c`), as langgraph-sdk sends it."""
    return tuple(dotted.split(".")) if dotted else ()
