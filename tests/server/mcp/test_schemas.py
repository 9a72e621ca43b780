"""The workflow tools' argument schemas, and how a call that breaks one is reported (no server needed)."""

from __future__ import annotations

from types import SimpleNamespace

from pydantic import BaseModel
from typing_extensions import TypedDict

from server.mcp.errors import schema_problem
from server.mcp.workflow_tools import input_schema


class Point(BaseModel):
    x: int


class NestedInput(TypedDict, total=False):
    point: Point
    label: str


def manager_with(schema: type) -> SimpleNamespace:
    graph = SimpleNamespace(builder=SimpleNamespace(input_schema=schema))
    return SimpleNamespace(graphs=SimpleNamespace(get=lambda name: graph))


def test_nested_types_resolve_from_the_tool_schema_root() -> None:
    schema = input_schema(manager_with(NestedInput), "nested_for_test")  # type: ignore[arg-type]
    assert "$defs" in schema and "$defs" not in schema["properties"]["input"]
    assert schema_problem(schema, {"input": {"point": {"x": 3}, "label": "p"}}) is None
    assert (
        schema_problem(schema, {"input": {"point": {"x": "three"}}})
        == "input.point.x: 'three' is not of type 'integer'"
    )


def test_control_arguments_are_checked_and_unknown_ones_refused() -> None:
    schema = input_schema(manager_with(NestedInput), "nested_for_test_2")  # type: ignore[arg-type]
    assert (
        schema_problem(schema, {"input": {}, "timeout_s": 0})
        == "timeout_s: 0 is less than or equal to the minimum of 0"
    )
    problem = schema_problem(schema, {"input": {}, "inputs": {}})
    assert problem is not None and "'inputs' was unexpected" in problem
