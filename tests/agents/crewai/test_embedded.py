"""The lesson crew on the real embedded model (Gemma 3 270M): it must end cleanly, content may be poor."""

from __future__ import annotations

import time

import pytest

from agents.crewai_adapter import lesson_explain
from agents.llm import Gateway, GenerationOptions, ModelNotFound
from agents.llm.backends.embedded import EmbeddedBackend
from agents.runner import run_agent
from agents.settings import Settings
from tests.agents.autogen.conftest import needs_bwrap
from tools.grounding import is_scaffolding

pytest.importorskip("llama_cpp", reason="the embedded extra is not installed")
pytestmark = pytest.mark.embedded


async def test_lesson_explain_on_gemma_shows_only_verified_parts() -> None:
    """A base model without tool calling echoed ReAct and the notes' errors; the lesson shows the reference."""
    gateway = Gateway(EmbeddedBackend(None, Settings().embedded_cache_dir, n_ctx=4096))
    try:
        await gateway.model_info()
    except ModelNotFound as exc:
        pytest.skip(f"embedded model not available: {exc.message}")
    started = time.monotonic()
    draft = await lesson_explain(
        "sampling", gateway, options=GenerationOptions(max_tokens=128, temperature=0.0, seed=1), timeout_s=120
    )
    elapsed = time.monotonic() - started
    assert draft.stop_reason == "completed" and draft.usage == []  # no model text to discard
    assert draft.explanation_source == "reference" and draft.quiz_source == "reference"
    assert "at least p" in draft.explanation and not is_scaffolding(draft.explanation)
    assert draft.worked_example.result["candidates"]  # computed by the concept tool
    assert [s.kind for s in draft.steps] == ["tool_call", "tool_result"]
    assert len(draft.quiz) == 2 and elapsed >= 0
    await gateway.close()


@needs_bwrap
async def test_the_coder_on_crewai_runs_gemmas_code_in_the_sandbox() -> None:
    """Forced onto CrewAI, the coder's program runs in bwrap and the reply reports it, as on AutoGen."""
    gateway = Gateway(EmbeddedBackend(None, Settings().embedded_cache_dir, n_ctx=4096))
    try:
        await gateway.model_info()
    except ModelNotFound as exc:
        pytest.skip(f"embedded model not available: {exc.message}")
    reply = await run_agent("coder", "Write and run a function that reverses a string", gateway, framework="crewai")
    executions = [s for s in reply.steps if s.kind == "execution"]
    assert reply.framework == "crewai" and reply.stop_reason in {"done", "max_messages"}
    assert executions and all(s.source == "executor" for s in executions)
    assert f"Output (exit code {executions[-1].content.split()[2]}):" in reply.text
    assert reply.usage and all(u.backend == "embedded" for u in reply.usage)
    await gateway.close()
