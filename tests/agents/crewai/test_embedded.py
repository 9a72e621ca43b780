"""The lesson crew on the real embedded model (Gemma 3 270M): it must end cleanly, content may be poor."""

from __future__ import annotations

import time

import pytest

from agents.crewai_adapter import lesson_explain
from agents.llm import Gateway, GenerationOptions, ModelNotFound
from agents.llm.backends.embedded import EmbeddedBackend
from agents.settings import Settings

pytest.importorskip("llama_cpp", reason="the embedded extra is not installed")
pytestmark = pytest.mark.embedded


async def test_lesson_explain_on_gemma_ends_cleanly_with_usage() -> None:
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
    assert draft.stop_reason in {"completed", "max_iterations", "timeout"}
    assert draft.usage and all(u.backend == "embedded" for u in draft.usage)
    assert sum(u.completion_tokens for u in draft.usage) > 0
    assert draft.worked_example.result["candidates"]  # computed by the tool whatever the model wrote
    assert len(draft.quiz) == 2 and draft.explanation
    assert elapsed < 130
    await gateway.close()
