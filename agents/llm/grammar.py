"""JSON schemas made safe for llama.cpp's schema-to-grammar converter.

llama.cpp unrolls size bounds into grammar rules: `maxItems: 100000` (pydantic's usual
guard on lists) becomes 100000 optional repetitions and crashes the process. Large bounds
are dropped (the model's max_tokens bounds the output anyway; the caller still validates
against the full schema), and so are annotation keys the converter does not know.
"""

from __future__ import annotations

from typing import Any

#: Bounds above this are dropped: unrolling them is what crashes llama.cpp.
MAX_GRAMMAR_BOUND = 256
#: An integer range this small becomes an enum, which the grammar enforces (it ignores minimum/maximum).
MAX_INTEGER_ENUM = 101
#: A string with no length bound gets this one in the grammar, so one field cannot eat the whole reply
#: (the model then runs out of tokens before closing the JSON).
DEFAULT_STRING_BOUND = 200
_BOUNDS = frozenset({"maxItems", "minItems", "maxLength", "minLength", "maxProperties", "minProperties"})
_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "ge", "le", "gt", "lt"})


def grammar_schema(schema: Any) -> Any:
    """`schema` without large size bounds and annotations, so llama.cpp can compile it into a small grammar.

    A small integer range becomes an enum: llama.cpp's grammar does not enforce minimum/maximum.
    """
    if isinstance(schema, list):
        return [grammar_schema(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    low, high = schema.get("minimum"), schema.get("maximum")
    if (
        schema.get("type") == "integer"
        and isinstance(low, int)
        and isinstance(high, int)
        and 0 <= high - low < MAX_INTEGER_ENUM
    ):
        return {"enum": list(range(low, high + 1))}
    cleaned: dict[str, Any] = {}
    if schema.get("type") == "string" and "enum" not in schema and "const" not in schema:
        bound = schema.get("maxLength")
        if not isinstance(bound, int) or bound > MAX_GRAMMAR_BOUND:
            cleaned["maxLength"] = DEFAULT_STRING_BOUND
    for key, value in schema.items():
        if key in _ANNOTATIONS and not isinstance(value, dict):
            continue
        if key in _BOUNDS and isinstance(value, int) and value > MAX_GRAMMAR_BOUND:
            continue
        if key == "maxLength" and "maxLength" in cleaned:
            continue
        if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            cleaned[key] = {name: grammar_schema(sub) for name, sub in value.items()}
        else:
            cleaned[key] = grammar_schema(value)
    return cleaned


__all__ = ["DEFAULT_STRING_BOUND", "MAX_GRAMMAR_BOUND", "grammar_schema"]
