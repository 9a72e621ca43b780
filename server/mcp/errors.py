"""Tool errors (isError results) and the one-line messages that name the offending field."""

from __future__ import annotations

from typing import Any

import jsonschema
from pydantic import ValidationError


class ToolError(Exception):
    """A tool call that could not produce a result; its message is what the MCP client sees."""


def validation_message(exc: ValidationError) -> str:
    """Pydantic's errors as one line naming each field: 'logits.0: Input should be a valid number'."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors())


def schema_problem(schema: dict[str, Any], arguments: dict[str, Any]) -> str | None:
    """The most relevant way `arguments` break the tool's JSON schema, naming the field; None if they fit.

    The SDK's own check says only "42 is not of type 'string'"; a model fixing its call needs the field.
    """
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(arguments))
    if error is None:
        return None
    where = ".".join(str(p) for p in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message
