"""Running a compiled workflow in-process with a checkpointer, as the CLI and server do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.gateway import Gateway
from workflows.checkpoint import open_checkpointer
from workflows.context import WorkflowContext
from workflows.registry import get_workflow


def scripted(rules: list[dict[str, Any]], capabilities: list[str] | None = None) -> Gateway:
    return Gateway(ScriptedBackend(rules, capabilities=capabilities))


async def run_workflow(
    name: str, graph_input: Any, gateway: Gateway, db: Path, thread_id: str = "t1"
) -> tuple[dict[str, Any], list[dict[str, Any]], Any]:
    """Run to the end or to an interrupt; returns (values, custom events, state snapshot)."""
    events: list[dict[str, Any]] = []
    async with open_checkpointer(db) as saver:
        graph = get_workflow(name).build().compile(checkpointer=saver)
        config = {"configurable": {"thread_id": thread_id}}
        async for part in graph.astream(graph_input, config, context=WorkflowContext(gateway), stream_mode="custom"):
            events.append(part)
        snapshot = await graph.aget_state(config)
    return dict(snapshot.values), events, snapshot
