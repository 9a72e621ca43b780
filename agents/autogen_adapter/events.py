"""Drive an AutoGen agent or team to the end: stream its events, bound its time, record its steps.

Shared by single-persona runs and the coding team so both report the same event kinds
("token", "message", "code", "execution", "tool_call", "tool_result") to `on_event`,
which LangGraph workflows forward to clients.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autogen_agentchat.base import TaskResult, TaskRunner
from autogen_agentchat.messages import (
    BaseAgentEvent,
    BaseChatMessage,
    CodeExecutionEvent,
    CodeGenerationEvent,
    ModelClientStreamingChunkEvent,
    StopMessage,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
)
from autogen_core import CancellationToken

from agents.personas import AgentStep

from .client import GatewayChatCompletionClient
from .errors import AgentRunError, break_cycles, caused_by

log = logging.getLogger(__name__)

EventCallback = Callable[[str, dict[str, Any]], Any]


class _DropCancelled(logging.Filter):
    """AutoGen's runtime logs every cancelled handler as an ERROR with a traceback; a run
    timeout cancels on purpose, so those records are noise (real errors still pass)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError))


_RUNTIME_LOG = logging.getLogger("autogen_core")
if not any(isinstance(f, _DropCancelled) for f in _RUNTIME_LOG.filters):
    _RUNTIME_LOG.addFilter(_DropCancelled())


@dataclass
class Execution:
    """One sandbox run of the coder's code."""

    code: str
    exit_code: int
    output: str


@dataclass
class RunTrace:
    """Everything a run produced, in order."""

    messages: list[dict[str, str]] = field(default_factory=list)
    steps: list[AgentStep] = field(default_factory=list)
    executions: list[Execution] = field(default_factory=list)
    stop_reason: str = ""
    timed_out: bool = False

    def last_from(self, source: str) -> str | None:
        return next((m["content"] for m in reversed(self.messages) if m["source"] == source), None)


def to_events(item: BaseAgentEvent | BaseChatMessage) -> list[tuple[str, dict[str, Any]]]:
    """The (kind, data) events for one AutoGen message or event; [] for ones callers don't need."""
    source = item.source
    if isinstance(item, ModelClientStreamingChunkEvent):
        return [("token", {"text": item.content, "source": source})]
    if isinstance(item, CodeGenerationEvent):
        code = "\n\n".join(b.code for b in item.code_blocks)
        languages = sorted({b.language for b in item.code_blocks})
        return [("code", {"source": source, "code": code, "languages": languages})]
    if isinstance(item, CodeExecutionEvent):
        return [("execution", {"source": source, "exit_code": item.result.exit_code, "output": item.result.output})]
    if isinstance(item, ToolCallRequestEvent):
        return [("tool_call", {"source": source, "name": c.name, "arguments": c.arguments}) for c in item.content]
    if isinstance(item, ToolCallExecutionEvent):
        return [
            ("tool_result", {"source": source, "name": r.name, "content": r.content, "is_error": bool(r.is_error)})
            for r in item.content
        ]
    if isinstance(item, StopMessage):
        return []
    if isinstance(item, BaseChatMessage):
        return [("message", {"source": source, "content": item.to_text()})]
    return []


def _step(kind: str, data: dict[str, Any]) -> AgentStep | None:
    content = {
        "message": data.get("content"),
        "code": data.get("code"),
        "execution": f"exit code {data.get('exit_code')}\n{data.get('output', '')}",
        "tool_call": f"{data.get('name')}({data.get('arguments')})",
        "tool_result": f"{data.get('name')}: {data.get('content')}",
    }.get(kind)
    return None if content is None else AgentStep(kind=kind, source=data["source"], content=str(content))  # type: ignore[arg-type]


async def _emit(on_event: EventCallback | None, kind: str, data: dict[str, Any]) -> None:
    """Call the listener; its failure is logged, never allowed to break the run."""
    if on_event is None:
        return
    try:
        result = on_event(kind, data)
        if inspect.isawaitable(result):
            await result
    except Exception:
        log.warning("on_event listener failed for %s event", kind, exc_info=True)


async def drive(
    runner: TaskRunner,
    task: str,
    *,
    timeout_s: float,
    clients: Sequence[GatewayChatCompletionClient],
    on_event: EventCallback | None = None,
) -> RunTrace:
    """Run `runner` on `task` to completion or `timeout_s`, whichever is first.

    On timeout AutoGen's cancellation token stops the in-flight model call and the run
    ends cleanly with `timed_out=True`; agent errors surface as AgentRunError.
    """
    trace = RunTrace()
    token = CancellationToken()
    timer = asyncio.get_running_loop().call_later(timeout_s, _expire, trace, token)
    pending_code = ""
    failure: AgentRunError | None = None
    try:
        async for item in runner.run_stream(task=task, cancellation_token=token, output_task_messages=False):
            if isinstance(item, TaskResult):
                trace.stop_reason = item.stop_reason or ""
                continue
            for kind, data in to_events(item):
                await _emit(on_event, kind, data)
                if kind == "message":
                    trace.messages.append({"source": data["source"], "content": data["content"]})
                elif kind == "code":
                    pending_code = data["code"]
                elif kind == "execution":
                    trace.executions.append(Execution(pending_code, data["exit_code"], data["output"]))
                step = _step(kind, data)
                if step is not None:
                    trace.steps.append(step)
    except asyncio.CancelledError:
        if not trace.timed_out:
            raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes an AgentRunError, raised below
        failure = _as_agent_error(exc, clients)
    finally:
        timer.cancel()
    if failure is not None:
        raise failure  # outside the handler, so Python links no loop back to the handled error
    if trace.timed_out:
        trace.stop_reason = f"timeout after {timeout_s:g}s"
    return trace


def _as_agent_error(exc: Exception, clients: Sequence[GatewayChatCompletionClient]) -> AgentRunError:
    """The AgentRunError behind a failed run, its exception chain free of loops.

    Teams re-raise an agent's exception as a RuntimeError string; the client's original is preferred.
    """
    if isinstance(exc, AgentRunError):
        return break_cycles(exc)
    original = next((c.last_error for c in clients if c.last_error is not None), None)
    if original is None:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        original = AgentRunError(f"the AutoGen run failed: {first_line}", cause=exc)
    return caused_by(original, exc)


def _expire(trace: RunTrace, token: CancellationToken) -> None:
    trace.timed_out = True
    token.cancel()


__all__ = ["EventCallback", "Execution", "RunTrace", "drive", "to_events"]
