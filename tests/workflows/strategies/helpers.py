"""Scripted gateways for the strategy tests."""

from __future__ import annotations

from typing import Any

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.errors import BackendError
from agents.llm.gateway import Gateway
from agents.llm.types import ChatMessage, ChatResult, GenerationOptions


class RecordingBackend(ScriptedBackend):
    """Scripted backend that remembers each call's options and JSON schema, and can fail chosen calls."""

    def __init__(self, rules: list[dict[str, Any]], *, fail_calls: set[int] | None = None, **kw: Any) -> None:
        super().__init__(rules, **kw)
        self.fail_calls = fail_calls or set()
        self.options: list[GenerationOptions] = []
        self.schemas: list[dict[str, Any] | None] = []

    async def chat(
        self,
        messages: list[ChatMessage],
        model: str,
        options: GenerationOptions,
        json_schema: dict[str, Any] | None = None,
    ) -> ChatResult:
        call = len(self.options)
        self.options.append(options)
        self.schemas.append(json_schema)
        if call in self.fail_calls:
            raise BackendError(f"scripted failure on call {call}", backend=self.name)
        return await super().chat(messages, model, options, json_schema)


def scripted(rules: list[dict[str, Any]], **kw: Any) -> tuple[Gateway, RecordingBackend]:
    backend = RecordingBackend(rules, **kw)
    return Gateway(backend), backend


class Events:
    """Collects emit(kind, data) calls."""

    def __init__(self) -> None:
        self.items: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, kind: str, data: dict[str, Any]) -> None:
        self.items.append((kind, data))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [d for k, d in self.items if k == kind]
