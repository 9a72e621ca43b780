"""Shared helpers: gateways over the scripted backend, scripted ReAct turns, an event log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from agents.llm import BackendUnavailable, Gateway
from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.types import ChatMessage, GenerationOptions, StreamChunk


def action(tool: str, arguments: str, thought: str = "I should compute it") -> str:
    """A ReAct tool call exactly as CrewAI's prompt asks for it."""
    return f"Thought: {thought}\nAction: {tool}\nAction Input: {arguments}"


def final(answer: str) -> str:
    return f"Thought: I now know the final answer\nFinal Answer: {answer}"


def scripted(rules: list[dict[str, Any]], capabilities: list[str] | None = None) -> tuple[Gateway, ScriptedBackend]:
    backend = ScriptedBackend(rules, capabilities=capabilities)
    return Gateway(backend), backend


class DownBackend(ScriptedBackend):
    """Behaves like Ollama when it is not running."""

    def __init__(self, capabilities: list[str] | None = None) -> None:
        super().__init__([], capabilities=capabilities)
        self.attempts = 0

    async def stream(
        self, messages: list[ChatMessage], model: str, options: GenerationOptions
    ) -> AsyncIterator[StreamChunk]:
        self.attempts += 1
        raise BackendUnavailable("cannot reach Ollama at http://127.0.0.1:11434", backend="ollama", model=model)
        yield StreamChunk()  # pragma: no cover - makes this an async generator


class EventLog:
    """An on_event callback that remembers (kind, data) pairs."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, kind: str, data: dict[str, Any]) -> None:
        self.events.append((kind, data))

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]

    def text(self, source: str | None = None) -> str:
        return "".join(
            d["text"] for k, d in self.events if k == "token" and (source is None or d.get("source") == source)
        )


@pytest.fixture
def event_log() -> EventLog:
    return EventLog()
