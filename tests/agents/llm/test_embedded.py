"""Integration on the real embedded model (Gemma 3 270M through llama.cpp)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.llm import GenerationOptions, ModelNotFound
from agents.llm.backends.embedded import EmbeddedBackend
from agents.llm.gateway import Gateway
from agents.settings import Settings

pytest.importorskip("llama_cpp", reason="the embedded extra is not installed")
pytestmark = pytest.mark.embedded

GREEDY = GenerationOptions(temperature=0.0, seed=42, max_tokens=24)


@pytest.fixture(scope="module")
def gateway() -> Gateway:
    settings = Settings()
    return Gateway(EmbeddedBackend(None, settings.embedded_cache_dir, n_ctx=2048))


async def test_answers_a_question_in_completion_format(gateway: Gateway) -> None:
    result = await gateway.chat("What is the capital of France?", options=GREEDY)
    assert "Paris" in result.text
    assert result.usage.backend == "embedded" and result.usage.model == "gemma3-270m"
    assert result.usage.prompt_tokens > 5 and result.usage.completion_tokens > 0


async def test_stream_joins_into_the_full_text(gateway: Gateway) -> None:
    full = await gateway.chat("Name three primary colours.", options=GREEDY)
    chunks = [c async for c in gateway.stream("Name three primary colours.", options=GREEDY)]
    assert len(chunks) > 3
    assert "".join(c.text for c in chunks[:-1]).strip() == full.text.strip()
    final = chunks[-1]
    assert final.done and final.usage is not None and final.usage.completion_tokens > 0


async def test_temperature_zero_with_seed_is_reproducible(gateway: Gateway) -> None:
    options = GenerationOptions(temperature=0.0, seed=7, max_tokens=16)
    first = await gateway.chat("The capital of France is", options=options)
    second = await gateway.chat("The capital of France is", options=options)
    assert first.text and first.text == second.text


async def test_seeded_sampling_is_reproducible(gateway: Gateway) -> None:
    options = GenerationOptions(temperature=0.9, seed=123, max_tokens=16)
    runs = [(await gateway.chat("Once upon a time", options=options)).text for _ in range(2)]
    assert runs[0] == runs[1]


async def test_next_token_distribution_is_real_and_sorted(gateway: Gateway) -> None:
    tokens = await gateway.next_token("The capital of France is", top_k=10)
    probs = [t.prob for t in tokens]
    assert len(tokens) == 10
    assert probs == sorted(probs, reverse=True)
    assert 0 < sum(probs) <= 1.0 + 1e-9
    assert all(t.logprob <= 0 for t in tokens)


async def test_counts_tokens_with_the_model_tokenizer(gateway: Gateway) -> None:
    assert 2 <= await gateway.count_tokens("Hello world") <= 4


async def test_json_schema_is_enforced_by_grammar(gateway: Gateway) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    value = await gateway.structured(
        "Give the capital of France as JSON.", schema, options=GenerationOptions(temperature=0, max_tokens=32)
    )
    assert isinstance(value, dict) and isinstance(value["city"], str)


async def test_another_model_name_is_refused_clearly(gateway: Gateway) -> None:
    await gateway.count_tokens("load")
    with pytest.raises(ModelNotFound, match="THINKROOM_EMBEDDED_MODEL"):
        await gateway.chat("hi", model="llama3.2:3b")


def test_custom_gguf_path_must_exist(tmp_path: Path) -> None:
    from agents.llm.errors import BackendUnavailable
    from agents.llm.model_files import resolve_gguf

    with pytest.raises(BackendUnavailable, match="not a file"):
        resolve_gguf(tmp_path / "missing.gguf", tmp_path)
