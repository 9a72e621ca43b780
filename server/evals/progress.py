"""A not-yet-finished eval's result, read from its checkpoint (server.results.checkpoint), summarised
the way the graph's `finish` step does (workflows.graphs.eval.build_result)."""

from __future__ import annotations

from typing import Any, cast

from server.results.checkpoint import checkpoint_state


async def checkpoint_result(graph: Any, thread_id: str) -> dict[str, Any] | None:
    """The EvalResult JSON of every item the thread's checkpoint holds; None for a thread with no eval state."""
    from workflows.graphs.eval import build_result

    state = await checkpoint_state(graph, thread_id, ("spec", "item_ids"))
    if state is None:
        return None
    if state.get("result"):
        return dict(state["result"])
    return build_result(cast(Any, state)).model_dump(mode="json")


__all__ = ["checkpoint_result"]
