"""A model failing inside a crew kickoff gives an AgentRunError whose chain has no loop, so rich
(typer's traceback printer) terminates on it; the run used to hang at 100% CPU printing it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from agents.crewai_adapter import AgentRunError, run_persona_crewai
from agents.llm import BackendUnavailable, Gateway
from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.errors import ContextLengthExceeded
from agents.llm.types import ChatMessage, GenerationOptions, StreamChunk
from agents.personas import get_persona

from ..chains import chain_types, has_loop, rich_render
from .conftest import DownBackend, action


class OverflowsOnSecondCall(ScriptedBackend):
    """Answers the first call with a tool action, then fails like llama.cpp once the ReAct scratchpad is too long."""

    def __init__(self) -> None:
        super().__init__([{"pattern": ".", "response": action("concept_sampling", '{"probs": {"a": 0.6, "b": 0.4}}')}])
        self.calls = 0

    async def stream(
        self, messages: list[ChatMessage], model: str, options: GenerationOptions
    ) -> AsyncIterator[StreamChunk]:
        self.calls += 1
        if self.calls >= 2:
            raise ContextLengthExceeded.of(4464, 4096, backend="embedded")
        async for chunk in super().stream(messages, model, options):
            yield chunk


@pytest.mark.parametrize(
    ("backend", "cause", "message"),
    [
        (DownBackend, BackendUnavailable, "model backend unavailable"),
        (OverflowsOnSecondCall, ContextLengthExceeded, "context window exceeded: the prompt needs 4464 tokens"),
    ],
)
async def test_failure_inside_kickoff_has_an_acyclic_chain_rich_can_print(
    backend: type[ScriptedBackend], cause: type[Exception], message: str
) -> None:
    with pytest.raises(AgentRunError) as caught:
        await run_persona_crewai(get_persona("tutor"), "Explain top-p with an example", Gateway(backend()))
    error = caught.value
    assert str(error).startswith(message)
    assert isinstance(error.cause, cause)
    assert not has_loop(error), chain_types(error)
    rendered = rich_render(error)  # hangs forever on a looped chain
    assert message in rendered and cause.__name__ in rendered
