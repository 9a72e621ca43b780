"""Turn LangGraph stream chunks into LangGraph Server's SSE events, per requested mode.

values/updates/debug/tasks/checkpoints pass through; thinkroom's `token` custom events
become `messages` (messages-tuple: [AIMessageChunk, metadata]) and `messages/*` parts;
`events` is an astream_events-like view built from tasks and custom events.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from .serde import jsonable

API_MODES = frozenset(
    {"values", "updates", "messages", "messages-tuple", "custom", "events", "debug", "tasks", "checkpoints"}
)
PASS_THROUGH = ("values", "updates", "debug", "tasks", "checkpoints")
SseEvent = tuple[str, Any]


def langgraph_modes(modes: list[str]) -> list[str]:
    """What to ask LangGraph for; `values` always, since the run's output is the last one."""
    wanted = {"values"}
    wanted.update(m for m in modes if m in PASS_THROUGH)
    if {"custom", "messages", "messages-tuple", "events"} & set(modes):
        wanted.add("custom")
    if "events" in modes:
        wanted.add("tasks")
    return sorted(wanted)


def message_chunk(text: str, message_id: str) -> dict[str, Any]:
    return {
        "content": text, "additional_kwargs": {}, "response_metadata": {}, "type": "AIMessageChunk",
        "name": None, "id": message_id, "example": False, "tool_calls": [], "invalid_tool_calls": [],
        "usage_metadata": None, "tool_call_chunks": [],
    }


class StreamConverter:
    """Stateful per run: message ids per node invocation and the partial text of each."""

    def __init__(self, modes: list[str], *, run_id: str, thread_id: str, graph_id: str, assistant_id: str) -> None:
        self.modes = set(modes)
        self.run_id = run_id
        self.base_meta = {"run_id": run_id, "thread_id": thread_id, "graph_id": graph_id, "assistant_id": assistant_id}
        self.graph_id = graph_id
        self.last_values: dict[str, Any] | None = None
        self._message_ids: dict[str, str] = {}
        self._partials: dict[str, str] = {}
        self._node_metrics: dict[str, dict[str, Any]] = {}
        self._task_runs: dict[str, str] = {}

    # -- graph-level events -------------------------------------------------------------
    def start(self, run_input: Any) -> list[SseEvent]:
        if "events" not in self.modes:
            return []
        return [("events", self._event("on_chain_start", self.graph_id, self.run_id, {"input": jsonable(run_input)}))]

    def finish(self, output: Any) -> list[SseEvent]:
        if "events" not in self.modes:
            return []
        return [("events", self._event("on_chain_end", self.graph_id, self.run_id, {"output": jsonable(output)}))]

    # -- chunks ---------------------------------------------------------------------------
    def convert(self, mode: str, chunk: Any) -> list[SseEvent]:
        if mode == "values":
            self.last_values = chunk if isinstance(chunk, dict) else {"value": chunk}
        out: list[SseEvent] = []
        if mode in PASS_THROUGH and mode in self.modes:
            out.append((mode, chunk))
        if mode == "custom":
            out.extend(self._custom(chunk))
        elif mode == "tasks" and "events" in self.modes:
            out.extend(self._task_event(chunk))
        return out

    def _custom(self, chunk: Any) -> list[SseEvent]:
        out: list[SseEvent] = []
        if "custom" in self.modes:
            out.append(("custom", chunk))
        kind = chunk.get("kind") if isinstance(chunk, dict) else None
        node = (chunk.get("node") if isinstance(chunk, dict) else None) or "graph"
        data = (chunk.get("data") if isinstance(chunk, dict) else None) or {}
        if kind == "node.start":
            self._message_ids[node] = f"run-{self.run_id}-{node}-{uuid.uuid4().hex[:8]}"
        elif kind in ("node.end", "node.error"):
            self._node_metrics[node] = dict(data)
            out.extend(self._complete_message(node))
        elif kind == "token":
            out.extend(self._token(node, str(data.get("text", "")), data.get("message_id")))
        if "events" in self.modes and kind not in ("node.start", "node.end", "token"):
            name = kind or "custom"
            out.append(("events", self._event("on_custom_event", name, self.run_id, chunk)))
        return out

    def _token(self, node: str, text: str, given_id: Any = None) -> list[SseEvent]:
        # a node that stores its reply under an id streams it with that id, so chunks match state
        if isinstance(given_id, str) and given_id:
            self._message_ids[node] = given_id
        message_id = self._message_ids.setdefault(node, f"run-{self.run_id}-{node}")
        meta = {**self.base_meta, "langgraph_node": node, "langgraph_triggers": [f"branch:to:{node}"],
                "langgraph_path": ["__pregel_pull", node], "langgraph_checkpoint_ns": node, "tags": []}
        out: list[SseEvent] = []
        if "messages-tuple" in self.modes:
            out.append(("messages", [message_chunk(text, message_id), meta]))
        if "messages" in self.modes:
            if message_id not in self._partials:
                out.append(("messages/metadata", {message_id: {"metadata": meta}}))
                self._partials[message_id] = ""
            self._partials[message_id] += text
            whole = {**message_chunk(self._partials[message_id], message_id), "type": "ai"}
            out.append(("messages/partial", [whole]))
        if "events" in self.modes:
            data = {"chunk": message_chunk(text, message_id)}
            out.append(("events", self._event("on_chat_model_stream", node, message_id, data, node)))
        return out

    def _complete_message(self, node: str) -> list[SseEvent]:
        message_id = self._message_ids.get(node)
        if "messages" not in self.modes or message_id is None or message_id not in self._partials:
            return []
        whole = {**message_chunk(self._partials.pop(message_id), message_id), "type": "ai"}
        return [("messages/complete", [whole])]

    def _task_event(self, chunk: dict[str, Any]) -> list[SseEvent]:
        task_id, name = str(chunk.get("id")), str(chunk.get("name"))
        if "input" in chunk:  # a task starts
            self._task_runs[task_id] = str(uuid.uuid4())
            data = {"input": jsonable(chunk.get("input"))}
            return [("events", self._event("on_chain_start", name, self._task_runs[task_id], data, name))]
        data = {"output": jsonable(chunk.get("result")), **self._node_metrics.pop(name, {})}
        if chunk.get("error"):
            data["error"] = chunk["error"]
        if chunk.get("interrupts"):
            data["interrupts"] = jsonable(chunk["interrupts"])
        run_id = self._task_runs.pop(task_id, task_id)
        return [("events", self._event("on_chain_end", name, run_id, data, name))]

    def _event(self, kind: str, name: str, run_id: str, data: Any, node: str | None = None) -> dict[str, Any]:
        metadata = {**self.base_meta, **({"langgraph_node": node} if node else {})}
        return {
            "event": kind, "name": name, "run_id": run_id, "tags": [], "metadata": metadata, "data": data,
            "parent_ids": [] if run_id == self.run_id else [self.run_id], "timestamp": time.time(),
        }
