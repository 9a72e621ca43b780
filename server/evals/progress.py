"""A not-yet-finished eval's result, read from its checkpoint.

The `eval` graph saves each item step's result as soon as the step ends (pending writes of
the superstep) and the whole state after every superstep, so a running, cancelled or killed
eval's finished items are in its thread's checkpoint. They are summarised the same way the
graph's `finish` step does (workflows.graphs.eval.build_result).
"""

from __future__ import annotations

from typing import Any, cast

from langchain_core.runnables import RunnableConfig


async def checkpoint_result(graph: Any, thread_id: str) -> dict[str, Any] | None:
    """The EvalResult JSON of every item the thread's checkpoint holds; None for a thread with no eval state."""
    from workflows.graphs.eval import build_result

    config = cast(RunnableConfig, {"configurable": {"thread_id": thread_id}})
    snapshot = await graph.aget_state(config)
    values = dict(snapshot.values or {})
    if values.get("result"):
        return dict(values["result"])
    if not values.get("spec") or not values.get("item_ids"):
        return None
    results = dict(values.get("results") or {})
    timing = dict(values.get("timing") or {})
    for task in snapshot.tasks:  # item steps that ended in the superstep still running (or killed)
        if task.name == "item" and isinstance(task.result, dict):
            results.update(task.result.get("results") or {})
            timing.update(task.result.get("timing") or {})
    state = {**values, "results": results, "timing": timing}
    return build_result(cast(Any, state)).model_dump(mode="json")


__all__ = ["checkpoint_result"]
