"""What a body schema cannot say, checked against the graph before anything is created.

LangGraph itself ignores a node name it does not know in `interrupt_before`, and the run
context drops keys its type lacks; a fork from a checkpoint that is not there would start
from scratch. Each of those would be a request silently not honoured, so each is refused
here (422 naming the field, or 404 for a checkpoint that does not exist).
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from typing import Any

from pydantic import TypeAdapter, ValidationError

from server.errors import ApiError

from .schemas import RunCreate
from .webhook_policy import Refused

if typing.TYPE_CHECKING:
    from .manager import RunManager

Graph = Any  # a compiled Pregel graph


def invalid(field: str, message: str) -> ApiError:
    """The runs API's 422: one line naming the field, plus the structured field list."""
    return ApiError(422, "invalid_input", f"invalid input: {field}: {message}",
                    fields=[{"field": field, "message": message}])


@functools.cache
def _adapter(hint: Any) -> TypeAdapter[Any]:
    return TypeAdapter(hint)


def check_context(graph: Graph, context: dict[str, Any], where: str = "context") -> None:
    """Every key must be a field of the graph's context type a request may set, of its type."""
    if not context:
        return
    schema = getattr(graph, "context_schema", None)
    fields: dict[str, Any] = {}
    if isinstance(schema, type) and dataclasses.is_dataclass(schema):
        hints = typing.get_type_hints(schema)
        fields = {f.name: hints.get(f.name, Any) for f in dataclasses.fields(schema) if f.name != "gateway"}
    for key, value in context.items():
        if key not in fields:
            takes = ", ".join(sorted(fields)) or "nothing"
            raise invalid(f"{where}.{key}", f"not a context field of this graph (it takes: {takes})")
        try:
            _adapter(fields[key]).validate_python(value)
        except ValidationError as exc:
            raise invalid(f"{where}.{key}", exc.errors()[0]["msg"]) from None


def check_interrupt_nodes(graph: Graph, body: RunCreate) -> None:
    """`interrupt_before`/`interrupt_after` may name only the graph's own nodes (or be "*")."""
    nodes = [name for name in graph.nodes if not name.startswith("__")]
    for field in ("interrupt_before", "interrupt_after"):
        names = getattr(body, field)
        if not isinstance(names, list):
            continue
        unknown = [name for name in names if name not in nodes]
        if unknown:
            raise invalid(field, f"no node named {', '.join(map(repr, unknown))} (nodes: {', '.join(nodes)})")


async def check_fork(graph: Graph, thread_id: str | None, body: RunCreate) -> None:
    """A run from a checkpoint starts on that checkpoint of this thread, which must exist."""
    checkpoint_id = body.fork_from
    named_thread = body.checkpoint.thread_id if body.checkpoint else None
    if thread_id is None:
        if checkpoint_id or named_thread:
            raise invalid("checkpoint", "a stateless run starts on a new thread, which has no checkpoints; "
                                        "run on the checkpoint's thread to fork it")
        return
    if named_thread and named_thread != thread_id:
        raise invalid("checkpoint.thread_id", f"names thread {named_thread!r}, not this run's {thread_id!r}")
    if checkpoint_id is None:
        return
    config = {"configurable": {"thread_id": thread_id, "checkpoint_ns": "", "checkpoint_id": checkpoint_id}}
    if await graph.checkpointer.aget_tuple(config) is None:
        field = "checkpoint_id" if body.checkpoint_id else "checkpoint.checkpoint_id"
        raise ApiError(404, "not_found", f"{field}: checkpoint {checkpoint_id!r} not found on thread {thread_id!r}",
                       fields=[{"field": field, "message": "no such checkpoint on this thread"}])


async def check_webhook(manager: RunManager, url: str) -> None:
    """The webhook's host may be called (SSRF policy, after a DNS lookup), and deliveries can be signed."""
    try:
        await manager.webhooks.check(url)
    except Refused as exc:
        raise invalid("webhook", str(exc)) from None


async def check_run(manager: RunManager, thread_id: str | None, body: RunCreate) -> None:
    """Refuse, before the run exists, what the graph or the thread cannot honour."""
    if body.webhook is not None:
        await check_webhook(manager, body.webhook)
    if thread_id is not None and body.on_completion == "delete":
        raise invalid("on_completion", "only a stateless run's own thread is deleted when it completes; "
                                       "delete this thread with DELETE /threads/{thread_id}")
    if not (body.context or body.interrupt_before or body.interrupt_after or body.checkpoint or body.checkpoint_id):
        return  # nothing that depends on the graph: no lookup on the common path
    graph = manager.graphs.get(manager.assistant(body.assistant_id).graph_id)
    check_context(graph, body.context)
    check_interrupt_nodes(graph, body)
    await check_fork(graph, thread_id, body)


__all__ = ["check_context", "check_fork", "check_interrupt_nodes", "check_run", "check_webhook", "invalid"]
