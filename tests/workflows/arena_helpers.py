"""A scripted backend serving several named models, each with its own rules, for arena tests.

The plain scripted backend serves one model and matches prompts only, so two models could
not answer the same prompt differently; here each model name has its own rules and records
the prompts it was sent (the judge's, to check that it never saw a contestant's name).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

from agents.evals.suites import SuiteItem
from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.errors import BackendUnavailable, NoScriptedRule
from agents.llm.types import ChatMessage, ChatResult, GenerationOptions, ModelInfo, StreamChunk


class Models(ScriptedBackend):
    """Scripted models by name; the first one is the default (the judge's, unless told otherwise)."""

    def __init__(self, models: dict[str, list[dict[str, Any]]], *, down_on: str | None = None) -> None:
        super().__init__([])
        self.models = {name: ScriptedBackend(rules, capabilities=["completion", "json_schema"])
                       for name, rules in models.items()}
        self.down_on = down_on  # a prompt fragment on which the backend "goes away" (BackendUnavailable)

    @property
    def default_model(self) -> str:
        return next(iter(self.models))

    def _model(self, model: str) -> ScriptedBackend:
        if model not in self.models:
            raise NoScriptedRule(f"no scripted model {model!r}", backend=self.name)
        return self.models[model]

    async def chat(
        self, messages: list[ChatMessage], model: str, options: GenerationOptions, json_schema: Any = None
    ) -> ChatResult:
        if self.down_on is not None and any(self.down_on in m.content for m in messages):
            raise BackendUnavailable("the backend went away", backend=self.name)
        return await self._model(model).chat(messages, model, options, json_schema)

    async def stream(  # type: ignore[override]
        self, messages: list[ChatMessage], model: str, options: GenerationOptions
    ) -> AsyncIterator[StreamChunk]:
        async for chunk in self._model(model).stream(messages, model, options):
            yield chunk

    async def list_models(self) -> list[ModelInfo]:
        return [await self.model_info(name) for name in self.models]

    async def model_info(self, model: str) -> ModelInfo:
        return ModelInfo(name=model, backend=self.name, capabilities=["completion", "json_schema"])

    def prompts_to(self, model: str) -> list[str]:
        return list(self.models[model].prompts)


def gsm8k_answers(items: list[SuiteItem], right: bool) -> list[dict[str, Any]]:
    """A model that states each item's number (right) or 0 (wrong), in the arena's 'Answer: n' form."""
    return [{"pattern": re.escape(i.input[:60]), "response": f"Let me work it out.\nAnswer: "
             f"{i.data['number'] if right else 0}"} for i in items]


__all__ = ["Models", "gsm8k_answers"]
