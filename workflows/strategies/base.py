"""Shared result, usage and event types for the strategies.

Usage has one source: the gateway records every call in its usage ledger (and every failed
call in the fault scope), and `metered()` reads the calls made inside it from there, the
same way a run collects its usage (`workflows.runner`) and a node its own (`workflows.events`).
Scopes follow asyncio tasks, so concurrent runs on one gateway never mix their counts, and a
strategy's figures equal the run's whenever the run is the strategy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from agents.llm.errors import GatewayError
from agents.llm.types import Usage
from agents.llm.usage import collect_faults, collect_usage

#: Optional event sink: emit(kind, data). A LangGraph node forwards these as custom events.
Emit = Callable[[str, dict[str, Any]], None]


def emit_event(emit: Emit | None, kind: str, data: dict[str, Any]) -> None:
    if emit is not None:
        emit(kind, data)


class UsageTotals(BaseModel):
    """What some model calls cost, as the gateway's ledger recorded them.

    `calls` are the calls the gateway recorded (each returned text and cost tokens);
    `failed_calls` those that raised a backend fault. A reply that failed its JSON schema
    was both: it cost tokens, then failed.
    """

    calls: int = 0
    failed_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model_wall_time_s: float = Field(default=0.0, description="sum of per-call wall times (calls may overlap)")

    @classmethod
    def of(cls, records: Sequence[Usage], faults: Sequence[GatewayError] = ()) -> UsageTotals:
        """The totals of ledger records (from `collect_usage`) and faults (from `collect_faults`)."""
        return cls(
            calls=len(records),
            failed_calls=len(faults),
            prompt_tokens=sum(r.prompt_tokens for r in records),
            completion_tokens=sum(r.completion_tokens for r in records),
            model_wall_time_s=sum(r.wall_time_s for r in records),
        )

    def merged(self, other: UsageTotals) -> UsageTotals:
        return UsageTotals(
            calls=self.calls + other.calls,
            failed_calls=self.failed_calls + other.failed_calls,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            model_wall_time_s=self.model_wall_time_s + other.model_wall_time_s,
        )

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class Meter:
    """The ledger's records (and faults) of the calls made inside one `metered()` block."""

    records: list[Usage]
    faults: list[GatewayError]

    @property
    def totals(self) -> UsageTotals:
        return UsageTotals.of(self.records, self.faults)


@contextmanager
def metered() -> Iterator[Meter]:
    """Read the usage of the model calls made in this block (and tasks it starts) from the ledger."""
    with collect_usage() as records, collect_faults() as faults:
        yield Meter(records, faults)


class StrategyResult(BaseModel):
    """The uniform outcome of any strategy: the answer plus a JSON trace of how it was reached."""

    strategy: str
    answer: str | None
    raw: str = Field(default="", description="the model text the answer came from")
    verified: bool | None = Field(default=None, description="task verifier verdict; None = no verifier")
    trace: dict[str, Any] = Field(default_factory=dict)
    usage: UsageTotals = Field(default_factory=UsageTotals)
    wall_time_s: float = 0.0

    @property
    def calls(self) -> int:
        return self.usage.calls


class Stopwatch:
    """Wall-clock seconds since creation."""

    def __init__(self) -> None:
        self._start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self._start


__all__ = ["Emit", "Meter", "StrategyResult", "UsageTotals", "emit_event", "metered"]
