"""The coding team on the real embedded model (Gemma 3 270M): weak, but it must end cleanly."""

from __future__ import annotations

import time

import pytest

from agents.autogen_adapter.teams import run_coding_team
from agents.llm import Gateway, GenerationOptions
from agents.settings import Settings

from .conftest import needs_bwrap

pytest.importorskip("llama_cpp", reason="the embedded extra (llama-cpp-python) is not installed")
pytestmark = [pytest.mark.embedded, pytest.mark.slow]

SHORT = GenerationOptions(max_tokens=128, temperature=0.2, seed=7, repeat_penalty=1.2)


@needs_bwrap
async def test_coding_team_on_the_embedded_model_ends_cleanly() -> None:
    from agents.llm.backends.embedded import EmbeddedBackend

    gateway = Gateway(EmbeddedBackend(None, Settings().embedded_cache_dir, n_ctx=4096))
    started = time.perf_counter()
    result = await run_coding_team(
        "Write and run a function that reverses a string", gateway, max_messages=6, timeout_s=75, options=SHORT
    )
    assert time.perf_counter() - started < 90
    assert result.verdict in {"approved", "not_approved", "timeout", "max_messages"}
    assert result.usage and all(u.backend == "embedded" for u in result.usage)
    assert gateway.ledger.totals()["calls"] == len(result.usage)
    assert sum(u.completion_tokens for u in result.usage) > 0
