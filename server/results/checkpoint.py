"""A not-yet-finished result workflow's state, read from its thread's checkpoint.

The `eval` and `arena` graphs save each item step's result as soon as the step ends (pending
writes of the superstep), so a running, cancelled or killed run's finished items are in its
checkpoint: in the state, or in the tasks of the superstep still running.
"""

from __future__ import annotations

from typing import Any, cast

from langchain_core.runnables import RunnableConfig


async def checkpoint_state(graph: Any, thread_id: str, needs: tuple[str, ...]) -> dict[str, Any] | None:
    """The thread's state with every finished item step's `results` and `timing` merged in.

    A state that already holds the final `result` is returned as it is; None when any of the
    `needs` keys is empty (no run of this workflow got that far on the thread).
    """
    config = cast(RunnableConfig, {"configurable": {"thread_id": thread_id}})
    snapshot = await graph.aget_state(config)
    values = dict(snapshot.values or {})
    if values.get("result"):
        return values
    if not all(values.get(key) for key in needs):
        return None
    results = dict(values.get("results") or {})
    timing = dict(values.get("timing") or {})
    for task in snapshot.tasks:  # item steps that ended in the superstep still running (or killed)
        if task.name == "item" and isinstance(task.result, dict):
            results.update(task.result.get("results") or {})
            timing.update(task.result.get("timing") or {})
    return {**values, "results": results, "timing": timing}


__all__ = ["checkpoint_state"]
