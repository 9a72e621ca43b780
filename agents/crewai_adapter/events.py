"""Collect an agent's visible steps and forward them as events on the caller's event loop.

Tools and CrewAI's step callbacks run in CrewAI's worker thread; listeners such as a
LangGraph stream writer or an asyncio queue are loop-bound. So every event is delivered
on the loop, in order, with the caller's context variables.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from agents.personas import AgentStep

logger = logging.getLogger(__name__)

#: (kind, data): kind is "token", "tool_call", "tool_result", "message", "code" or "execution".
EventCallback = Callable[[str, dict[str, Any]], None]


class EventSink:
    """Delivers events to one optional callback on the loop, whatever thread emits them."""

    def __init__(self, loop: asyncio.AbstractEventLoop, on_event: EventCallback | None) -> None:
        self.loop = loop
        self.on_event = on_event
        self._context = contextvars.copy_context()
        self._failed = False

    def emit(self, kind: str, data: dict[str, Any]) -> None:
        if self.on_event is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self._deliver(kind, data)
        elif not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._deliver, kind, data, context=self._context)

    def _deliver(self, kind: str, data: dict[str, Any]) -> None:
        try:
            if self.on_event is not None:
                self.on_event(kind, data)
        except Exception:  # a broken listener must not kill the agent run
            if not self._failed:
                self._failed = True
                logger.exception("on_event callback failed; further failures are not logged")


class StepRecorder:
    """One agent's steps (AgentReply.steps) and events, fed by its tools and step callback."""

    def __init__(self, sink: EventSink, source: str) -> None:
        self.sink = sink
        self.source = source
        self.steps: list[AgentStep] = []
        self._lock = threading.Lock()
        self._tool_ran = False

    def _add(self, kind: str, content: str, data: dict[str, Any]) -> None:
        with self._lock:
            self.steps.append(AgentStep(kind=kind, source=self.source, content=content))  # type: ignore[arg-type]
        self.sink.emit(kind, {"source": self.source, **data})

    def token(self, text: str) -> None:
        """on_token for the agent's LLM: streamed text, not a step."""
        self.sink.emit("token", {"source": self.source, "text": text})

    def tool_event(self, kind: str, data: dict[str, Any]) -> None:
        """ToolObserver: the concept tool itself reports its call (before) and result (after)."""
        if kind == "tool_call":
            self._tool_ran = True
            self._add("tool_call", f"{data['tool']}({_json(data.get('arguments'))})", data)
        else:
            self._add("tool_result", str(data.get("result", "")), data)

    def step_callback(self, step: Any) -> None:
        """CrewAI step_callback: records tool attempts the tool never saw (bad tool name or input)."""
        tool = getattr(step, "tool", None)
        if tool is None or not hasattr(step, "tool_input"):
            return  # a ToolResult or an AgentFinish: nothing the tool observer missed
        if self._tool_ran:
            self._tool_ran = False
            return
        self._add("tool_call", f"{tool}({step.tool_input})", {"tool": tool, "arguments": step.tool_input})
        result = str(getattr(step, "result", "") or "")
        self._add("tool_result", result, {"tool": tool, "result": result, "error": True})

    def message(self, text: str, **extra: Any) -> None:
        self._add("message", text, {"text": text, **extra})

    def record(self, step: AgentStep, data: dict[str, Any]) -> None:
        """A step another part of the turn produced (the sandbox running the coder's program), with its event."""
        with self._lock:
            self.steps.append(step)
        self.sink.emit(step.kind, data)


def _json(value: Any) -> str:
    try:
        return json.dumps(value, default=str)
    except (TypeError, ValueError):
        return str(value)


__all__ = ["EventCallback", "EventSink", "StepRecorder"]
