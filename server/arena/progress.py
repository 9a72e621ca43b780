"""A not-yet-finished arena's result, read from its checkpoint.

A running, cancelled or killed arena's finished prompts are in its thread's checkpoint
(server.results.checkpoint); they are summarised the way the graph's `finish` step does
(workflows.graphs.arena.build_result). The bootstrap makes that cost a fit per round, so
a summary is kept per thread until another prompt finishes.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any, cast

from server.results.checkpoint import checkpoint_state

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
    state = await checkpoint_state(graph, thread_id, ("spec", "item_ids", "resolved"))
    if state is None:
        return None
    if state.get("result"):
        return dict(state["result"])
    return await asyncio.to_thread(_summarised, thread_id, state)


__all__ = ["checkpoint_result"]
