"""The usage ledger: every model call, from any framework, lands here."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .errors import GatewayError
from .types import Usage

UsageListener = Callable[[Usage], None]

_scopes: ContextVar[tuple[list[Usage], ...]] = ContextVar("usage_scopes", default=())
_fault_scopes: ContextVar[tuple[list[GatewayError], ...]] = ContextVar("fault_scopes", default=())


@contextmanager
def collect_usage() -> Iterator[list[Usage]]:
    """Collect the usage of every model call made in this context (and tasks/threads it starts).

    Context variables follow asyncio tasks and `asyncio.to_thread`, so a workflow node sees
    exactly its own calls even when many runs share one gateway.
    """
    sink: list[Usage] = []
    token = _scopes.set((*_scopes.get(), sink))
    try:
        yield sink
    finally:
        _scopes.reset(token)


@contextmanager
def collect_faults() -> Iterator[list[GatewayError]]:
    """Collect every GatewayError a model call raised in this context, even if a caller swallowed it.

    A strategy may turn a failed call into an abstention; the run still knows the call failed,
    so a run in which every call failed can end with the backend's typed error.
    """
    sink: list[GatewayError] = []
    token = _fault_scopes.set((*_fault_scopes.get(), sink))
    try:
        yield sink
    finally:
        _fault_scopes.reset(token)


def record_fault(error: GatewayError) -> None:
    """Note a failed model call in every enclosing `collect_faults` scope."""
    for sink in _fault_scopes.get():
        sink.append(error)


class UsageLedger:
    """A thread-safe record of model calls, with listeners so a run can attribute its own usage."""

    def __init__(self, keep: int = 10_000) -> None:
        self._records: list[Usage] = []
        self._listeners: list[UsageListener] = []
        self._keep = keep
        self._lock = threading.Lock()

    def record(self, usage: Usage) -> None:
        for sink in _scopes.get():
            sink.append(usage)
        with self._lock:
            self._records.append(usage)
            if len(self._records) > self._keep:
                del self._records[: len(self._records) - self._keep]
            listeners = list(self._listeners)
        for listener in listeners:
            listener(usage)

    def subscribe(self, listener: UsageListener) -> Callable[[], None]:
        """Add a listener; returns a function that removes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    @property
    def records(self) -> list[Usage]:
        with self._lock:
            return list(self._records)

    def totals(self) -> dict[str, float]:
        records = self.records
        return {
            "calls": len(records),
            "prompt_tokens": sum(r.prompt_tokens for r in records),
            "completion_tokens": sum(r.completion_tokens for r in records),
            "wall_time_s": round(sum(r.wall_time_s for r in records), 6),
        }
