"""Compiled workflows by graph id (one compile per graph, sharing the process checkpointer)
and their JSON schemas for `GET /assistants/{id}/schemas`."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.pregel import Pregel
from langgraph.store.base import BaseStore
from pydantic import TypeAdapter

from workflows.registry import WORKFLOWS, get_workflow


class GraphRegistry:
    """Compiles each workflow of WORKFLOWS on first use; new registrations are picked up.

    Every graph shares the process checkpointer and, once `use_store` is called, the
    key-value store (nodes reach it as `runtime.store`).
    """

    def __init__(self, checkpointer: BaseCheckpointSaver[Any], store: BaseStore | None = None) -> None:
        self.checkpointer = checkpointer
        self.store = store
        self._compiled: dict[str, Pregel[Any, Any, Any, Any]] = {}

    def use_store(self, store: BaseStore | None) -> None:
        """Give the graphs this store (graphs compiled before are compiled again with it)."""
        self.store = store
        self._compiled.clear()

    def names(self) -> dict[str, str]:
        return {name: spec.description for name, spec in WORKFLOWS.items()}

    def has(self, graph_id: str) -> bool:
        return graph_id in WORKFLOWS

    def get(self, graph_id: str) -> Pregel[Any, Any, Any, Any]:
        graph = self._compiled.get(graph_id)
        if graph is None:
            if graph_id not in WORKFLOWS:
                raise KeyError(graph_id)
            graph = get_workflow(graph_id).build().compile(
                checkpointer=self.checkpointer, store=self.store, name=graph_id
            )
            self._compiled[graph_id] = graph
        return graph

    def context_fields(self, graph_id: str) -> set[str]:
        """The fields of the graph's context type a request may set (not the server-made ones)."""
        schema = getattr(self.get(graph_id), "context_schema", None)
        if schema is None or not dataclasses.is_dataclass(schema):
            return set()
        return {f.name for f in dataclasses.fields(schema) if f.name != "gateway"}


def _field_schema(hint: Any) -> dict[str, Any] | None:
    try:
        return TypeAdapter(hint).json_schema()
    except Exception:  # noqa: BLE001 - a server-side type (e.g. the gateway) has no JSON form
        return None


def object_schema(cls: Any, title: str) -> dict[str, Any] | None:
    """JSON schema of a TypedDict/dataclass/pydantic type, field by field, so one odd field
    (or typing.TypedDict on Python 3.11, which pydantic refuses) does not lose the rest."""
    if cls is None:
        return None
    whole = _field_schema(cls)
    if whole is not None:
        return whole
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001
        return {"title": title, "type": "object"}
    properties = {k: s for k, v in hints.items() if (s := _field_schema(v)) is not None}
    required = sorted(getattr(cls, "__required_keys__", ()) & properties.keys()) if hasattr(cls, "__total__") else []
    return {"title": title, "type": "object", "properties": properties, **({"required": required} if required else {})}


def graph_schemas(graph: Pregel[Any, Any, Any, Any], graph_id: str) -> dict[str, Any]:
    builder = getattr(graph, "builder", None)
    state = getattr(builder, "state_schema", None)
    return {
        "graph_id": graph_id,
        "input_schema": object_schema(getattr(builder, "input_schema", state), f"{graph_id}_input"),
        "output_schema": object_schema(getattr(builder, "output_schema", state), f"{graph_id}_output"),
        "state_schema": object_schema(state, f"{graph_id}_state"),
        "config_schema": object_schema(getattr(builder, "config_schema", None), f"{graph_id}_config"),
        "context_schema": object_schema(getattr(builder, "context_schema", None), f"{graph_id}_context"),
    }
