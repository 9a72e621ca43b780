"""Every workflow of the registry as an MCP tool `workflow_<name>`, its input schema from the graph.

A call starts a run with `input` (validated against the workflow's input type and its own
checks), or answers a paused run with `resume` on its `thread_id` (the lesson pauses for
quiz answers). Either way it goes through the RunManager and waits, like `POST /runs/wait`.
"""

from __future__ import annotations

import json
from typing import Any

from mcp import types
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from server.runs.graphs import object_schema
from server.runs.manager import RunManager
from server.runs.schemas import CommandBody, RunCreate
from workflows.registry import WORKFLOWS, WorkflowSpec

from .errors import ToolError, validation_message
from .running import RunResult, effective_timeout, run_and_wait

PREFIX = "workflow_"


class WorkflowArguments(BaseModel):
    """What a workflow tool takes besides the workflow's own input."""

    model_config = ConfigDict(extra="forbid")

    input: dict[str, Any] | None = None
    resume: Any = None
    thread_id: str | None = Field(default=None, min_length=1)
    timeout_s: float | None = Field(default=None, gt=0)


CONTROL_PROPERTIES: dict[str, Any] = {
    "resume": {
        "description": "Instead of input: the answer to a run that paused for one (e.g. the lesson's quiz answers); "
        "needs the thread_id the paused call returned."
    },
    "thread_id": {
        "type": "string",
        "minLength": 1,
        "description": "Run on this thread (created if new); omit for a new thread.",
    },
    "timeout_s": {
        "type": "number",
        "exclusiveMinimum": 0,
        "description": "Give up and cancel the run after this many seconds (capped by the server).",
    },
}


#: Tool schemas by workflow, with the compiled graph they were made from (a recompiled graph is redone).
_SCHEMAS: dict[str, tuple[Any, dict[str, Any]]] = {}


def input_schema(manager: RunManager, name: str) -> dict[str, Any]:
    """The tool's schema: the workflow's input type under `input`, plus the run controls.

    `$defs` of the input type move to the root, where `#/$defs/...` references resolve.
    """
    graph = manager.graphs.get(name)
    cached = _SCHEMAS.get(name)
    if cached is not None and cached[0] is graph:
        return cached[1]
    builder = getattr(graph, "builder", None)
    schema = object_schema(getattr(builder, "input_schema", None) or getattr(builder, "state_schema", None), name)
    graph_input = dict(schema or {"type": "object"})
    defs = dict(graph_input.pop("$defs", {}))
    properties = {}
    for key, prop in (graph_input.get("properties") or {}).items():
        prop = dict(prop)
        defs.update(prop.pop("$defs", {}))
        properties[key] = prop
    if properties:
        graph_input["properties"] = properties
    graph_input["description"] = f"The {name} workflow's input (start a new run with it)."
    root: dict[str, Any] = {
        "type": "object",
        "properties": {"input": graph_input, **CONTROL_PROPERTIES},
        "additionalProperties": False,
    }
    if defs:
        root["$defs"] = defs
    _SCHEMAS[name] = (graph, root)
    return root


def workflow_tool(manager: RunManager, spec: WorkflowSpec) -> types.Tool:
    return types.Tool(
        name=PREFIX + spec.name,
        title=f"{spec.name} workflow",
        description=f"{spec.description} Runs the workflow and waits for it; returns its answer or final state "
        "with the run and thread ids.",
        inputSchema=input_schema(manager, spec.name),
        annotations=types.ToolAnnotations(readOnlyHint=False, destructiveHint=False, openWorldHint=False),
    )


def workflow_tools(manager: RunManager) -> list[types.Tool]:
    return [workflow_tool(manager, spec) for spec in WORKFLOWS.values()]


def workflow_of(tool: str) -> WorkflowSpec | None:
    return WORKFLOWS.get(tool.removeprefix(PREFIX)) if tool.startswith(PREFIX) else None


def run_body(spec: WorkflowSpec, arguments: dict[str, Any]) -> tuple[RunCreate, WorkflowArguments]:
    """The run to create: a new one from `input`, or a resume of the thread's paused run."""
    tool = PREFIX + spec.name
    try:
        args = WorkflowArguments.model_validate(arguments)
    except ValidationError as exc:
        raise ToolError(f"invalid arguments for {tool}: {validation_message(exc)}") from None
    meta = {"source": "mcp", "tool": tool}
    if "resume" in arguments:
        if args.input is not None or args.thread_id is None or args.resume is None:
            raise ToolError(
                f"{tool}: 'resume' answers a paused run: pass a non-null value with that run's thread_id, and no input"
            )
        body = RunCreate(assistant_id=spec.name, command=CommandBody(resume=args.resume), metadata=meta)
        return body, args
    if args.input is None:
        raise ToolError(f"{tool}: pass 'input' (the workflow's input object) to start a run")
    return RunCreate(assistant_id=spec.name, input=args.input, if_not_exists="create", metadata=meta), args


def render(spec: WorkflowSpec, result: RunResult) -> str:
    """The text a model reads: the workflow's answer, what a paused run waits for, or the final state."""
    if result.interrupts:
        asked = json.dumps(result.interrupts, default=str)
        return (
            f"The run paused for input: {asked}\nAnswer it by calling {PREFIX}{spec.name} with "
            f"thread_id={result.thread_id!r} and resume=<your answer>."
        )
    answer = result.output.get(spec.answer_key)
    if isinstance(answer, str) and answer:
        return answer
    return json.dumps(result.output, default=str)


async def call_workflow(
    manager: RunManager, spec: WorkflowSpec, arguments: dict[str, Any], limit_s: float
) -> tuple[list[types.ContentBlock], dict[str, Any]]:
    """Run (or resume) the workflow and wait; its answer as text, and its final state as structured content."""
    body, args = run_body(spec, arguments)
    timeout = effective_timeout(args.timeout_s, limit_s)
    result = await run_and_wait(manager, body, args.thread_id, timeout, PREFIX + spec.name)
    structured = {
        "workflow": spec.name,
        "status": "paused" if result.interrupts else "done",
        **result.where(),
        "output": json.loads(json.dumps(result.output, default=str)),
    }
    return [types.TextContent(type="text", text=render(spec, result))], structured
