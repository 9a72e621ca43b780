"""A not-yet-finished arena's result, read from its checkpoint.

The `arena` graph saves each prompt step's result as soon as the step ends (pending writes
of the superstep), so a running, cancelled or killed arena's finished prompts are in its
thread's checkpoint; they are summarised the way the graph's `finish` step does
(workflows.graphs.arena.build_result). The bootstrap makes that cost a fit per round, so
a summary is kept per thread until another prompt finishes.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any, cast

from langchain_core.runnables import RunnableConfig

_CACHE_SIZE = 32
_summaries: OrderedDict[tuple[str, tuple[str, ...]], dict[str, Any]] = OrderedDict()


def _summarised(thread_id: str, state: dict[str, Any]) -> dict[str, Any]:
    from workflows.graphs.arena import build_result

    key = (thread_id, tuple(sorted(state["results"])))
    hit = _summaries.get(key)
    if hit is None or hit.get("spec") != state["spec"]:
        hit = build_result(cast(Any, state)).model_dump(mode="json")
        _summaries[key] = hit
        while len(_summaries) > _CACHE_SIZE:
            _summaries.popitem(last=False)
    return hit


async def checkpoint_result(graph: Any, thread_id: str) -> dict[str, Any] | None:
    """The ArenaResult JSON of every prompt the thread's checkpoint holds; None without arena state there."""
    config = cast(RunnableConfig, {"configurable": {"thread_id": thread_id}})
    snapshot = await graph.aget_state(config)
    values = dict(snapshot.values or {})
    if values.get("result"):
        return dict(values["result"])
    if not values.get("spec") or not values.get("item_ids") or not values.get("resolved"):
        return None
    results = dict(values.get("results") or {})
    timing = dict(values.get("timing") or {})
    for task in snapshot.tasks:  # prompt steps that ended in the superstep still running (or killed)
        if task.name == "item" and isinstance(task.result, dict):
            results.update(task.result.get("results") or {})
            timing.update(task.result.get("timing") or {})
    return await asyncio.to_thread(_summarised, thread_id, {**values, "results": results, "timing": timing})


__all__ = ["checkpoint_result"]
