"""The chat workflow fits long histories to the model's context window, on both branches, and says so.

A 60-turn conversation never overflows: the oldest turns are dropped (one line says how
many) and `context_window` in the state and the node.end event reports it. A single message
too long for the window is a ContextLengthExceeded before any model call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.llm.backends.embedded import EmbeddedBackend
from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.errors import ContextLengthExceeded
from agents.llm.gateway import Gateway
from agents.settings import Settings

from .helpers import run_workflow

FINAL = "Thought: I now know the final answer\nFinal Answer: Top-p keeps the smallest set of tokens whose mass is p."


def history(turns: int, words: int = 12) -> list[dict[str, str]]:
    """`turns` user/assistant exchanges, then the question to answer."""
    messages: list[dict[str, str]] = []
    for i in range(turns):
        messages.append({"role": "user", "content": f"Question number {i}: " + "tell me more " * (words // 3)})
        messages.append({"role": "assistant", "content": f"Answer number {i}: " + "here is more " * (words // 3)})
    messages.append({"role": "user", "content": "Explain top-p with an example"})
    return messages


def context_event(events: list[dict[str, Any]]) -> dict[str, Any]:
    [end] = [e for e in events if e["kind"] == "node.end" and e["node"] == "respond"]
    window = end["data"]["context_window"]
    assert isinstance(window, dict)
    return window


async def test_sixty_turns_fit_the_scripted_window_on_the_plain_branch(tmp_path: Path) -> None:
    backend = ScriptedBackend([{"pattern": "top-p", "response": "Top-p samples from the nucleus."}], context_length=600)
    values, events, _ = await run_workflow("chat", {"messages": history(60)}, Gateway(backend), tmp_path / "c.db")
    report = values["context_window"]
    assert values["answer"] == "Top-p samples from the nucleus."
    assert report == context_event(events)
    assert report["context_length"] == 600 and report["budget"] == 600 - 150
    assert 0 < report["dropped_turns"] < 120 and report["tokens"] <= report["budget"]
    [prompt] = backend.prompts
    assert f"({report['dropped_turns']} earlier turns of this conversation omitted.)" in prompt
    assert "Question number 59" in prompt and "Question number 0:" not in prompt
    assert prompt.endswith("Explain top-p with an example")


async def test_sixty_turns_fit_the_scripted_window_on_the_agent_branch(tmp_path: Path) -> None:
    backend = ScriptedBackend([{"pattern": "prompt engineer", "response": FINAL}], context_length=3000)
    graph_input = {"messages": history(60), "agent": "prompt-engineer"}  # a CrewAI persona, not grounded
    values, events, _ = await run_workflow("chat", graph_input, Gateway(backend), tmp_path / "c.db")
    report = values["context_window"]
    assert values["answer"].startswith("Top-p keeps the smallest set")
    assert report == context_event(events)
    assert report["budget"] == 3000 - 750  # a quarter of the window kept for the agent's steps
    assert 0 < report["dropped_turns"] < 120 and report["tokens"] <= report["budget"]
    assert backend.prompts, "the agent called the model"
    prompt = backend.prompts[0]
    assert "Conversation so far:" in prompt and "omitted" in prompt
    assert "Question number 59" in prompt and "Question number 0:" not in prompt


@pytest.mark.parametrize("agent", [None, "tutor", "prompt-engineer"])
async def test_a_message_longer_than_the_window_fails_before_any_model_call(tmp_path: Path, agent: str | None) -> None:
    backend = ScriptedBackend([{"pattern": ".", "response": "never"}], context_length=4096)
    graph_input: dict[str, Any] = {"messages": [{"role": "user", "content": "word " * 20_000}], "agent": agent}
    with pytest.raises(ContextLengthExceeded) as caught:
        await run_workflow("chat", graph_input, Gateway(backend), tmp_path / "c.db")
    assert caught.value.context_length == 4096 and caught.value.prompt_tokens > 20_000
    assert caught.value.message.startswith("the last message")
    assert backend.prompts == []


@pytest.fixture(scope="module")
def embedded() -> Gateway:
    pytest.importorskip("llama_cpp", reason="the embedded extra is not installed")
    return Gateway(EmbeddedBackend(None, Settings().embedded_cache_dir, n_ctx=4096), max_tokens_cap=48)


@pytest.mark.embedded
@pytest.mark.slow
async def test_sixty_long_turns_fit_the_embedded_models_4096_tokens(embedded: Gateway, tmp_path: Path) -> None:
    messages = history(60, words=72)  # about 9,600 tokens in all, more than twice the window
    assert sum(embedded.count_tokens_sync(m["content"]) for m in messages) > 8000
    values, events, _ = await run_workflow("chat", {"messages": messages}, embedded, tmp_path / "c.db")
    report = values["context_window"]
    assert report == context_event(events)
    assert report["context_length"] == 4096 and report["dropped_turns"] > 60
    assert values["answer"].strip()
    usage = next(e["data"]["usage"] for e in events if e["kind"] == "node.end")
    assert usage["calls"] == 1 and usage["prompt_tokens"] <= report["budget"]  # the estimate holds for real tokens


@pytest.mark.embedded
@pytest.mark.slow
async def test_sixty_long_turns_fit_a_crew_on_the_embedded_model(embedded: Gateway, tmp_path: Path) -> None:
    graph_input = {"messages": history(60, words=72), "agent": "prompt-engineer"}
    values, events, _ = await run_workflow("chat", graph_input, embedded, tmp_path / "c.db")
    report = values["context_window"]
    assert report == context_event(events)
    assert report["dropped_turns"] > 60 and report["tokens"] <= report["budget"] == 4096 - 1024
    assert values["answer"].strip()
    usage = next(e["data"]["usage"] for e in events if e["kind"] == "node.end")
    assert usage["calls"] >= 1  # every call fitted: an overflow would have failed the run


@pytest.mark.embedded
async def test_an_oversized_message_on_the_embedded_model_is_context_length_exceeded(
    embedded: Gateway, tmp_path: Path
) -> None:
    graph_input = {"messages": [{"role": "user", "content": "word " * 20_000}]}
    with pytest.raises(ContextLengthExceeded) as caught:
        await run_workflow("chat", graph_input, embedded, tmp_path / "c.db")
    assert caught.value.context_length == 4096 and caught.value.prompt_tokens > 20_000
