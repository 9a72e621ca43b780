"""The shape the searching workflows share: one step for the plain path, or a search run one
phase per graph step (tests, expand, evaluate, select), so every phase is checkpointed and
streamed as its own node until the search says it is done."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from pydantic import BaseModel, ValidationError

from workflows.context import WorkflowContext
from workflows.events import emitter, instrumented
from workflows.inputs import InvalidInput

PHASES = ["tests", "expand", "evaluate", "select"]
#: A search's step function: the state after its next phase.
Step = Callable[[Any, Any, Any], Awaitable[Any]]


def config_field(exc: ValidationError, value: dict[str, Any], personas: tuple[str, str]) -> InvalidInput:
    """A search config the model refused, named as the user gave it: a persona option at the top level
    (its `proposer` alias for the first persona), else `config.<field>`."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    field = where if where in personas and value.get(where) else f"config.{where}"
    if where == personas[0] and not value.get(where) and value.get("proposer"):
        field = "proposer"
    return InvalidInput(field, str(first["msg"]).removeprefix("Value error, "))


def phase_node(name: str, key: str, model: type[BaseModel], step: Step) -> Any:
    """A graph step that runs the search kept in `state[key]` through its next phase."""

    @instrumented(name)
    async def run(state: dict[str, Any], runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
        current = model.model_validate(state[key])
        current = await step(current, runtime.context.gateway, emitter(name))
        return {key: current.model_dump()}

    run.__name__ = name
    return run


def add_search(
    graph: StateGraph[Any, Any, Any, Any],
    *,
    key: str,
    model: type[BaseModel],
    step: Step,
    route: Callable[[Any], str],
    plain: tuple[str, Any],
    setup: Any,
    finish: Any,
) -> StateGraph[Any, Any, Any, Any]:
    """Wire START -> route -> (the `plain` step | setup -> phases... -> finish) -> END."""
    plain_name, plain_node = plain
    graph.add_node(plain_name, plain_node)
    graph.add_node("setup", setup)
    for name in PHASES:
        graph.add_node(name, phase_node(name, key, model, step))
    graph.add_node("finish", finish)
    graph.add_conditional_edges(START, route, [plain_name, "setup"])
    graph.add_edge(plain_name, END)

    def after_phase(state: dict[str, Any]) -> str:
        return str(state[key]["phase"])

    for name in ["setup", *PHASES]:
        graph.add_conditional_edges(name, after_phase, [*PHASES, "finish"])
    graph.add_edge("finish", END)
    return graph


__all__ = ["PHASES", "add_search", "config_field", "phase_node"]
