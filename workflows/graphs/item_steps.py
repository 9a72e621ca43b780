"""What the item-by-item workflows (`eval`, `arena`) share.

Each unfinished item is its own `item` step, all `Send`s of one superstep, so LangGraph saves
an item's result the moment its step ends and a killed run resumes without redoing it. Here:
the reducer that accumulates item results (and lets a new run on a used thread start from
nothing), the per-run worker slots and running tallies (in this process only, never
checkpointed), and the busy time of overlapping item spans.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from langchain_core.runnables import RunnableConfig

from agents.evals.suites import SuiteItem, load_suite

#: Written as {RESET: True} by a run's setup, so the run does not inherit a previous run's items.
RESET = "__reset__"


@lru_cache(maxsize=8)
def cached_suite(suite: str, text: str | None, source: str) -> tuple[SuiteItem, ...]:
    """A suite's items, loaded once per process (every item step of a run reads its own from it)."""
    return tuple(load_suite(suite, text, source))


def merge_items(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Reducer: item results accumulate; a new run on the same thread starts from nothing ({RESET: True})."""
    if right and right.get(RESET):
        return {k: v for k, v in right.items() if k != RESET}
    return {**(left or {}), **(right or {})}


@dataclass
class ItemRun:
    """One run's in-process state: the worker slots and the running tallies its events report."""

    loop: asyncio.AbstractEventLoop
    workers: int
    slots: asyncio.Semaphore
    done: int = 0
    tallies: dict[str, list[int]] = field(default_factory=dict)


#: Runs in progress in this process, by thread id (a run resumed by a new process starts afresh).
_runs: dict[str, ItemRun] = {}


def thread_of(config: RunnableConfig) -> str:
    return str((config.get("configurable") or {}).get("thread_id", ""))


def item_run(config: RunnableConfig, workers: int) -> ItemRun:
    """The run's slots and tallies: shared by its item steps, new for a new loop or worker count."""
    thread, loop = thread_of(config), asyncio.get_running_loop()
    run = _runs.get(thread)
    if run is None or run.loop is not loop or run.workers != workers:
        run = _runs[thread] = ItemRun(loop, workers, asyncio.Semaphore(workers))
    return run


def forget_run(config: RunnableConfig) -> None:
    """The run has finished: drop its in-process state."""
    _runs.pop(thread_of(config), None)


def busy_seconds(spans: list[list[float]]) -> float:
    """Length of the union of the items' [start, end] spans: overlapping workers count once, a pause not at all."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(spans):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


__all__ = ["RESET", "ItemRun", "busy_seconds", "cached_suite", "forget_run", "item_run", "merge_items", "thread_of"]
