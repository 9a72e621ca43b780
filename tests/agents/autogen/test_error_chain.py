"""A model failing inside an AutoGen run (a single agent, or the coder's team, which re-raises agent
errors as RuntimeError strings) gives an AgentRunError with an acyclic chain that rich can print."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from agents.autogen_adapter.errors import AgentRunError
from agents.autogen_adapter.run import run_persona_autogen
from agents.llm import BackendUnavailable, Gateway
from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.types import ChatMessage, ChatResult, GenerationOptions, StreamChunk
from agents.personas import get_persona

from ..chains import chain_types, has_loop, rich_render


class DownBackend(ScriptedBackend):
    """Model info answers, every generation fails the way an unreachable Ollama does."""

    async def chat(
        self, messages: list[ChatMessage], model: str, options: GenerationOptions, json_schema: object = None
    ) -> ChatResult:
        raise BackendUnavailable("cannot reach Ollama at http://127.0.0.1:9", backend="ollama", model=model)

    async def stream(
        self, messages: list[ChatMessage], model: str, options: GenerationOptions
    ) -> AsyncIterator[StreamChunk]:
        raise BackendUnavailable("cannot reach Ollama at http://127.0.0.1:9", backend="ollama", model=model)
        yield StreamChunk()  # pragma: no cover - makes this an async generator


@pytest.mark.parametrize("persona", ["tutor", "coder", "evaluator"])
async def test_backend_failure_has_an_acyclic_chain_rich_can_print(persona: str) -> None:
    with pytest.raises(AgentRunError) as caught:
        await run_persona_autogen(get_persona(persona), "Reverse a string in Python", Gateway(DownBackend()))
    error = caught.value
    assert str(error).startswith("model backend unavailable: cannot reach Ollama")
    assert isinstance(error.cause, BackendUnavailable)
    assert not has_loop(error), chain_types(error)
    assert "BackendUnavailable" in rich_render(error)
