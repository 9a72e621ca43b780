"""`GET /api/workflows/{name}/form`: the JSON schema the dashboard draws a workflow's form from.

The graphs' input types are `TypedDict(total=False)`, so their schemas (`/assistants/{id}/schemas`)
cannot say which fields a run refuses to start without, what a persona field accepts, or which
concepts a lesson knows. This adds exactly that to the graph's own input schema; the eval form
gets `EvalSpec`'s schema instead, because the dashboard starts evals through `POST /api/evals`
(so they get an eval id, their tables and plots).
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import APIRouter, Request

from server.errors import ApiError
from server.runs import RunManager
from server.runs.graphs import graph_schemas

router = APIRouter(prefix="/api/workflows", tags=["catalog"])

#: Fields each graph refuses to run without (its node raises or its check_input refuses when they are empty).
REQUIRED: dict[str, list[str]] = {
    "chat": ["messages"],
    "lesson": ["concept"],
    "code": ["task"],
    "prompt_lab": ["prompt"],
}
#: Fields that name a persona ("tutor" or "tutor@crewai"): the form offers the personas as suggestions.
PERSONA_FIELDS = {"agent", "proposer", "evaluator", "coder", "engineer", "samplers"}


def _manager(request: Request) -> RunManager:
    manager: RunManager = request.app.state.runs
    return manager


def _suggest_personas(schema: dict[str, Any]) -> None:
    from agents.personas import PERSONAS

    names = sorted(PERSONAS)
    for key, prop in schema.get("properties", {}).items():
        if key in PERSONA_FIELDS:
            prop["examples"] = names


def eval_schema() -> dict[str, Any]:
    """What `POST /api/evals` validates: EvalSpec, with its defaults, bounds and descriptions."""
    from workflows.evals.schema import EvalSpec

    schema = EvalSpec.model_json_schema()
    _suggest_personas(schema)
    return schema


def run_schema(graph_id: str, base: dict[str, Any] | None) -> dict[str, Any]:
    """The graph's input schema, with its required fields, persona suggestions and, for lessons, the concepts."""
    schema: dict[str, Any] = copy.deepcopy(base) if base else {"type": "object", "properties": {}}
    props: dict[str, Any] = schema.setdefault("properties", {})
    required = [k for k in REQUIRED.get(graph_id, []) if k in props]
    if required:
        schema["required"] = sorted({*schema.get("required", []), *required})
    if graph_id == "lesson" and "concept" in props:
        from tools.concepts import CONCEPTS

        props["concept"] = {**props["concept"], "enum": sorted(CONCEPTS)}
    if graph_id == "chat" and "messages" in props:
        # one new user message; the widget turns it into [{"role": "user", "content": ...}]
        props["messages"] = {**props["messages"], "x-widget": "message", "title": "Message"}
    _suggest_personas(schema)
    return schema


@router.get("/{name}/form")
async def workflow_form(name: str, request: Request) -> dict[str, Any]:
    """A workflow's form: its description, where to submit it (`run` or `eval`) and the schema of its fields."""
    manager = _manager(request)
    if not manager.graphs.has(name):
        known = ", ".join(manager.graphs.names())
        raise ApiError(404, "not_found", f"unknown workflow {name!r}; choose one of {known}")
    description = manager.graphs.names()[name]
    if name == "eval":
        return {"graph_id": name, "description": description, "submit": "eval", "schema": eval_schema()}
    base = graph_schemas(manager.graphs.get(name), name)["input_schema"]
    return {"graph_id": name, "description": description, "submit": "run", "schema": run_schema(name, base)}


__all__ = ["router"]
