"""One way to run a workflow, shared by the runs API, `/v1` and the CLI.

Every entry point checks the input the same way (before the run starts), streams the
graph the same way, collects usage from the gateway's ledger scope, and fails the same
way: a backend fault raises its typed GatewayError (directly, or as the cause of an
AgentRunError) and `failure()` describes it with its code. A strategy that swallowed
failed calls (ToT, a CoT-SC sample) may still answer when some calls succeeded; when every
model call failed and there is no answer, the run fails with the first fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.pregel import Pregel
from langgraph.types import Command

from agents.llm.errors import GatewayError
from agents.llm.types import Usage
from agents.llm.usage import collect_faults, collect_usage
from workflows.inputs import InvalidInput, validate_input
from workflows.registry import WorkflowSpec, get_workflow

Graph = Pregel[Any, Any, Any, Any]
OnPart = Callable[[str, Any], None]

_compiled: dict[str, tuple[WorkflowSpec, Graph]] = {}


def compile_workflow(name: str, checkpointer: BaseCheckpointSaver[Any] | None = None) -> Graph:
    """The registered workflow compiled (with a checkpointer for resumable runs)."""
    return get_workflow(name).build().compile(checkpointer=checkpointer, name=name)


def compiled(name: str) -> Graph:
    """The workflow compiled without a checkpointer, once per process (re-registering recompiles)."""
    spec = get_workflow(name)
    hit = _compiled.get(name)
    if hit is not None and hit[0] is spec:
        return hit[1]
    graph = compile_workflow(name)
    _compiled[name] = (spec, graph)
    return graph


def check_input(spec: WorkflowSpec, graph: Graph, value: Any) -> None:
    """Raise InvalidInput (naming the field) for input the workflow cannot start with; None or a Command resumes."""
    if value is None or isinstance(value, Command):
        return
    builder = getattr(graph, "builder", None)
    schema = getattr(builder, "input_schema", None) or getattr(builder, "state_schema", None)
    validate_input(schema, value)
    if spec.check_input is not None and isinstance(value, dict):
        spec.check_input(value)


@dataclass
class RunReport:
    """What one run produced: its last state values, every model call's usage, every failed call."""

    values: dict[str, Any] | None = None
    usage: list[Usage] = field(default_factory=list)
    faults: list[GatewayError] = field(default_factory=list)
    interrupts: list[Any] = field(default_factory=list)

    @property
    def interrupted(self) -> bool:
        return bool(self.interrupts)

    def answer(self, spec: WorkflowSpec) -> str:
        """The workflow's answer; while paused for input, what it has shown so far (a lesson's explanation)."""
        values = self.values or {}
        found = values.get(spec.answer_key)
        if found in (None, "") and self.interrupted and spec.paused_answer_key:
            found = values.get(spec.paused_answer_key)
        return "" if found is None else str(found)


def check_faults(spec: WorkflowSpec, report: RunReport) -> None:
    """Raise the first fault when every model call failed and the workflow has no answer to show."""
    if not report.faults or report.usage or report.interrupted:
        return
    if (report.values or {}).get(spec.answer_key) in (None, ""):
        raise report.faults[0]


async def run_workflow(
    spec: WorkflowSpec,
    graph: Graph,
    graph_input: Any,
    *,
    context: Any,
    on_part: OnPart,
    stream_mode: list[str],
    config: Any = None,
    report: RunReport | None = None,
    **kwargs: Any,
) -> RunReport:
    """Stream one run, passing each (mode, chunk) of `stream_mode` to `on_part`; `values` are always tracked.

    Pass `report` to keep the usage and faults of a run that raises.
    """
    report = report if report is not None else RunReport()
    modes = sorted({"values", *stream_mode})
    with collect_usage() as calls, collect_faults() as faults:
        report.usage, report.faults = calls, faults
        async for mode, chunk in graph.astream(
            graph_input,
            config,
            context=context,
            stream_mode=modes,  # type: ignore[arg-type]
            **kwargs,
        ):
            if mode == "values" and isinstance(chunk, dict):
                if "__interrupt__" in chunk:  # LangGraph's last chunk of a paused run holds only the interrupts
                    report.interrupts = list(chunk["__interrupt__"])
                else:
                    report.values = chunk
            if mode in stream_mode:
                on_part(mode, chunk)
    check_faults(spec, report)
    return report


def fault_of(error: BaseException) -> GatewayError | None:
    """The backend fault behind a run's failure: the error itself, an AgentRunError's cause, or a link of its chain."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [error]
    while stack:
        link = stack.pop(0)
        if link is None or id(link) in seen:
            continue
        if isinstance(link, GatewayError):
            return link
        seen.add(id(link))
        stack += [getattr(link, "cause", None), link.__cause__, link.__context__]
    return None


def failure(error: BaseException) -> dict[str, Any]:
    """A run's failure as stored and streamed: `code` is the typed backend code when there is one."""
    fault = fault_of(error)
    if fault is not None:
        return {
            "error": type(fault).__name__,
            "code": fault.code,
            "message": fault.message,
            "backend": fault.backend,
            "model": fault.model,
        }
    if isinstance(error, InvalidInput):
        return {"error": "InvalidInput", "code": "invalid_input", "message": str(error), "field": error.field}
    return {"error": type(error).__name__, "message": str(error) or type(error).__name__}


__all__ = [
    "InvalidInput",
    "RunReport",
    "check_faults",
    "check_input",
    "compile_workflow",
    "compiled",
    "failure",
    "fault_of",
    "run_workflow",
]
