"""Shared result, usage and event types for the strategies.

Usage is summed from each call's own ChatResult (not the gateway ledger), so concurrent
runs on one gateway never mix their counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from agents.llm.types import ChatResult

#: Optional event sink: emit(kind, data). A LangGraph node forwards these as custom events.
Emit = Callable[[str, dict[str, Any]], None]


def emit_event(emit: Emit | None, kind: str, data: dict[str, Any]) -> None:
    if emit is not None:
        emit(kind, data)


class UsageTotals(BaseModel):
    """What a strategy run cost, summed over its own model calls."""

    calls: int = 0
    failed_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model_wall_time_s: float = Field(default=0.0, description="sum of per-call wall times (calls may overlap)")

    def add(self, result: ChatResult) -> None:
        self.calls += 1
        self.prompt_tokens += result.usage.prompt_tokens
        self.completion_tokens += result.usage.completion_tokens
        self.model_wall_time_s += result.usage.wall_time_s

    def add_failure(self) -> None:
        self.calls += 1
        self.failed_calls += 1

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


__all__ = ["Emit", "StrategyResult", "UsageTotals", "emit_event"]
