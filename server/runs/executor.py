"""Executing one run: build the LangGraph config, context and input, stream the graph into
the run's event log, and record the outcome (success, interrupted thread, or error).

The graph runs through `workflows.runner`, like `/v1` and the CLI. A backend fault (a
GatewayError, or an agent's AgentRunError caused by one) or any graph exception ends the
run `error` with the typed code and message stored and an SSE `error` event; it never
escapes to the server.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command, Send

from server.db.models import utcnow
from workflows.events import usage_summary
from workflows.registry import get_workflow
from workflows.runner import RunReport, failure, run_workflow

from .modes import StreamConverter, langgraph_modes
from .serde import jsonable
from .state import interrupts_by_task

if TYPE_CHECKING:
    from .manager import RunJob, RunManager


@dataclass
class Outcome:
    """How a run ended, kept in memory for `wait`/`join` (stateless threads are deleted)."""

    status: str
    output: dict[str, Any] | None = None
    error: dict[str, Any] | None = None

    def response(self) -> dict[str, Any]:
        if self.error is not None and self.status == "error":
            return {"__error__": self.error}
        return self.output or {}


def error_payload(exc: BaseException) -> dict[str, Any]:
    """The stored error: a backend fault (also as an agent's cause) keeps its typed code."""
    return failure(exc)


def run_config(job: RunJob) -> RunnableConfig:
    """Assistant config, overridden by the run's, plus thread/checkpoint ids and run metadata."""
    base, own = job.assistant.config or {}, job.body.config or {}
    configurable = {**base.get("configurable", {}), **own.get("configurable", {})}
    configurable.update(thread_id=job.thread_id, assistant_id=job.assistant.assistant_id, graph_id=job.graph_id)
    if not job.resume:
        configurable.update(job.body.checkpoint_config)
    config: dict[str, Any] = {
        "configurable": configurable,
        "metadata": {
            **(job.assistant.meta or {}), **job.body.metadata,
            "run_id": job.run_id, "assistant_id": job.assistant.assistant_id, "graph_id": job.graph_id,
        },
        "tags": [*base.get("tags", []), *own.get("tags", [])],
    }
    limit = own.get("recursion_limit", base.get("recursion_limit"))
    if limit:
        config["recursion_limit"] = int(limit)
    return cast(RunnableConfig, config)


def run_context(manager: RunManager, job: RunJob) -> Any:
    """The graph's context: the process gateway plus any fields the assistant or run set."""
    schema: Any = getattr(manager.graphs.get(job.graph_id), "context_schema", None)
    if schema is None or not isinstance(schema, type) or not dataclasses.is_dataclass(schema):
        return None
    allowed = manager.graphs.context_fields(job.graph_id)
    extra = {k: v for k, v in {**(job.assistant.context or {}), **job.body.context}.items() if k in allowed}
    names = {f.name for f in dataclasses.fields(schema)}
    kwargs = {"gateway": manager.gateway} if "gateway" in names else {}
    factory: Any = schema
    return factory(**kwargs, **extra)


def run_input(job: RunJob) -> Any:
    if job.resume:
        return None  # continue from the last checkpoint the dead process wrote
    command = job.body.command
    if command is None:
        return job.body.input
    goto = command.goto
    if isinstance(goto, dict):
        goto = Send(goto["node"], goto.get("input"))
    elif isinstance(goto, list):
        goto = [Send(g["node"], g.get("input")) if isinstance(g, dict) else g for g in goto]
    kwargs: dict[str, Any] = {}
    if command.resume is not None:
        kwargs["resume"] = command.resume
    if command.update is not None:
        kwargs["update"] = command.update
    if goto is not None:
        kwargs["goto"] = goto
    return Command(**kwargs)


async def execute_run(manager: RunManager, job: RunJob) -> Outcome:
    graph = manager.graphs.get(job.graph_id)
    stream = job.stream
    if not job.stored_running:  # a run that started when created is already stored as running
        manager.runs.update(job.run_id, status="running", started_at=utcnow())
    stream.publish("metadata", {"run_id": job.run_id, "attempt": job.attempt})
    converter = StreamConverter(
        job.body.modes, run_id=job.run_id, thread_id=job.thread_id, graph_id=job.graph_id,
        assistant_id=job.assistant.assistant_id,
    )
    for event, data in converter.start(job.body.input):
        stream.publish(event, data)
    config = run_config(job)
    error: dict[str, Any] | None = None

    def publish(mode: str, chunk: Any) -> None:
        for event, data in converter.convert(mode, chunk):
            stream.publish(event, data)

    report = RunReport()  # usage via the ledger's context scope: every model call of this run
    try:
        await run_workflow(
            get_workflow(job.graph_id), graph, run_input(job), config=config, context=run_context(manager, job),
            on_part=publish, stream_mode=langgraph_modes(job.body.modes), report=report,
            interrupt_before=job.body.interrupt_before, interrupt_after=job.body.interrupt_after,
            durability=job.body.durability,
        )
    except Exception as exc:  # noqa: BLE001 - any graph failure ends this run, never the server
        error = error_payload(exc)
    manager.checkpoints.commit()  # the run's checkpoints are on disk before its outcome is recorded
    usage = usage_summary(report.usage, report.faults) if report.usage or report.faults else {}

    busy = manager.thread_busy_after(job)
    last = converter.last_values
    paused = False
    breakpoints = job.body.interrupt_before or job.body.interrupt_after  # a stop there leaves no `__interrupt__`
    if error is None and last is not None and "__interrupt__" not in last and not breakpoints:
        values, interrupts = jsonable(last) or {}, {}  # finished: the last `values` chunk is the state
    else:  # paused or failed: read the checkpoint for pending tasks and their interrupts
        snapshot = await graph.aget_state(cast(RunnableConfig, {"configurable": {"thread_id": job.thread_id}}))
        values, interrupts = jsonable(snapshot.values) or {}, interrupts_by_task(snapshot)
        paused = bool(interrupts or snapshot.next)
    thread_changes: dict[str, Any] = {"values": values, "interrupts": interrupts}
    if error is not None:
        stream.publish("error", error)
        thread_changes.update(status="busy" if busy else "error", error=error)
        manager.runs.update(job.run_id, status="error", error=error, usage=usage or None, ended_at=utcnow(),
                            thread_changes=thread_changes)
        manager.hub.finish(stream)
        return Outcome(status="error", output=values, error=error)

    output = dict(values)
    if interrupts:
        output["__interrupt__"] = [i for items in interrupts.values() for i in items]
    for event, data in converter.finish(values):
        stream.publish(event, data)
    thread_changes.update(status="busy" if busy else ("interrupted" if paused else "idle"), error=None)
    manager.runs.update(job.run_id, status="success", output=output, usage=usage or None, ended_at=utcnow(),
                        thread_changes=thread_changes)
    manager.hub.finish(stream)
    return Outcome(status="success", output=output)
