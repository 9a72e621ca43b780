"""Typed run events, streamed through LangGraph's `custom` stream mode.

Nodes call `emit(kind, **data)`; outside a graph run it is a no-op, so strategies and
agents can emit unconditionally. `instrumented` wraps a node with start/end events that
carry its duration and the model usage it caused, read from the gateway's usage ledger like
a run's (`workflows.runner`) and a strategy's (`workflows.strategies.base.metered`).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from agents.llm.errors import GatewayError
from agents.llm.types import Usage
from agents.llm.usage import collect_usage
from workflows.strategies.base import UsageTotals

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


class RunEvent(BaseModel):
    """One event of a run, as the API and dashboard receive it."""

    kind: str
    node: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    ts: float = Field(default_factory=time.time)


def _writer() -> Callable[[Any], None] | None:
    try:
        from langgraph.config import get_stream_writer

        return get_stream_writer()
    except (RuntimeError, KeyError, ImportError):
        return None


def emit(kind: str, node: str | None = None, **data: Any) -> None:
    """Send a custom event to whoever streams this run (nothing happens outside a run)."""
    writer = _writer()
    if writer is not None:
        writer(RunEvent(kind=kind, node=node, data=data).model_dump())


def emitter(node: str) -> Callable[[str, dict[str, Any]], None]:
    """An `(kind, data)` callback bound to a node, for agents and strategies to report through."""
    writer = _writer()

    def send(kind: str, data: dict[str, Any]) -> None:
        if writer is not None:
            writer(RunEvent(kind=kind, node=node, data=data).model_dump())

    return send


def usage_summary(records: Sequence[Usage], faults: Sequence[GatewayError] = ()) -> dict[str, Any]:
    """A run's or a node's usage as the API shows it: the totals of its ledger records (one sum for all).

    `failed_calls` (backend faults) is shown only when there were some."""
    totals = UsageTotals.of(records, faults)
    summary: dict[str, Any] = {
        "calls": totals.calls,
        "prompt_tokens": totals.prompt_tokens,
        "completion_tokens": totals.completion_tokens,
        "model_seconds": round(totals.model_wall_time_s, 4),
    }
    if totals.failed_calls:
        summary["failed_calls"] = totals.failed_calls
    return summary


def instrumented(name: str) -> Callable[[F], F]:
    """Wrap an async node: node.start, then node.end with duration and usage (or node.error)."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            emit("node.start", node=name)
            started = time.perf_counter()
            with collect_usage() as records:
                try:
                    result = await fn(*args, **kwargs)
                except Exception as exc:
                    if type(exc).__name__ in ("GraphInterrupt", "Interrupt", "ParentCommand"):
                        raise
                    emit(
                        "node.error",
                        node=name,
                        error=f"{type(exc).__name__}: {exc}",
                        duration_s=round(time.perf_counter() - started, 4),
                        usage=usage_summary(records),
                    )
                    raise
            # a node that fitted its prompt to the context window reports how (chat's `context_window`)
            extra = {k: result[k] for k in ("context_window",) if isinstance(result, dict) and k in result}
            emit(
                "node.end",
                node=name,
                duration_s=round(time.perf_counter() - started, 4),
                usage=usage_summary(records),
                **extra,
            )
            return result

        return wrapper  # type: ignore[return-value]

    return decorate
