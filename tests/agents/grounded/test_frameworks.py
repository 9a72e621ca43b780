"""The tutor answers the same on CrewAI (a Flow) and AutoGen (an agent in a team); its concept run is a tool call."""

from __future__ import annotations

from typing import Any

import pytest

from agents.llm import Gateway
from agents.llm.backends.scripted import ScriptedBackend
from agents.runner import run_agent

QUESTION = "What is the softmax of the logits (2, 1, 0.1)?"


async def test_both_frameworks_give_the_same_grounded_answer() -> None:
    gateway = Gateway(ScriptedBackend([]))
    events: dict[str, list[tuple[str, dict[str, Any]]]] = {"crewai": [], "autogen": []}
    replies = {
        framework: await run_agent(
            "tutor", QUESTION, gateway, framework=framework, on_event=lambda k, d, f=framework: events[f].append((k, d))
        )
        for framework in ("crewai", "autogen")
    }
    assert replies["crewai"].text == replies["autogen"].text
    assert "0.659" in replies["crewai"].text.split("\n\n")[0]
    for framework, reply in replies.items():
        assert reply.framework == framework and reply.grounding is not None
        assert reply.grounding["computation"]["concept"] == "softmax"
        assert any(s.kind == "tool_call" and "concept_softmax" in s.content for s in reply.steps), framework
        assert any(k == "tool_call" for k, _ in events[framework]), framework


async def test_a_model_with_native_tools_writes_the_prose_through_the_framework() -> None:
    """CrewAI's tool-calling agent runs; its answer is shown between the verified parts, never instead of them."""
    backend = ScriptedBackend(
        [{"pattern": ".", "response": "Softmax turns scores into probabilities that sum to one."}],
        capabilities=["completion", "tools"],
    )
    reply = await run_agent("tutor", QUESTION, Gateway(backend))
    assert backend.prompts, "the framework agent made a model call"
    direct, prose = reply.text.split("\n\n")[:2]
    assert "0.659" in direct and prose == "Softmax turns scores into probabilities that sum to one."


async def test_scaffolding_from_a_native_model_is_never_shown() -> None:
    backend = ScriptedBackend(
        [{"pattern": ".", "response": "Thought: I now can give a great answer\nFinal Answer: your job depends on it!"}],
        capabilities=["completion", "tools"],
    )
    reply = await run_agent("tutor", QUESTION, Gateway(backend), framework="autogen")
    assert "your job depends on it" not in reply.text and "Thought:" not in reply.text
    assert "0.659" in reply.text


@pytest.mark.parametrize("framework", ["crewai", "autogen"])
async def test_a_backend_fault_fails_the_turn_clearly(framework: str) -> None:
    from agents.errors import AgentRunError
    from tests.agents.crewai.conftest import DownBackend

    class Down(DownBackend):
        async def model_info(self, model: str) -> Any:
            from agents.llm import BackendUnavailable

            raise BackendUnavailable("cannot reach Ollama at http://127.0.0.1:11434", backend="ollama", model=model)

    with pytest.raises(AgentRunError, match="cannot reach Ollama"):
        await run_agent("tutor", QUESTION, Gateway(Down()), framework=framework)  # type: ignore[arg-type]


@pytest.mark.parametrize("framework", ["crewai", "autogen"])
async def test_the_evaluators_reply_carries_its_grade(framework: str) -> None:
    reply = await run_agent(
        "evaluator",
        "Grade this answer to 'What does RMSNorm drop compared with LayerNorm?': RMSNorm subtracts the mean.",
        Gateway(
            ScriptedBackend([{"pattern": ".", "response": '{"score": 10, "verdict": "correct", "reasons": ["ok"]}'}])
        ),
        framework=framework,  # type: ignore[arg-type]
    )
    assert (
        reply.grounding is not None and reply.grounding["score"] < 10 and reply.grounding["concept"] == "normalization"
    )
