"""What a namespace and a key may be, checked before the store sees them so a bad one is a 422 naming it.

LangGraph's rules: a namespace is a non-empty list of non-empty string labels without '.'
(the HTTP API joins labels with dots) and its root is not "langgraph"; a key is a non-empty string.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    return None


def parse_namespace(dotted: str) -> tuple[str, ...]:
    """The namespace of a query string (`a.b.c`), as langgraph-sdk sends it."""
    return tuple(dotted.split(".")) if dotted else ()
