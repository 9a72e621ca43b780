"""Issue 14's model-backed concepts: the prompt tricks on a scripted model, and embeddings and the KV cache
on the embedded model (llama.cpp). No timed assertions: structure and counts only."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from agents.llm import Gateway
from agents.llm.backends.embedded import EmbeddedBackend
from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.errors import InvalidRequest
from agents.model_concepts import MODEL_CONCEPTS
from agents.settings import Settings
from tools.concepts.prompting import TECHNIQUES


def test_at_least_forty_concepts_in_all() -> None:
    from tools.concepts import CONCEPTS

    assert len(CONCEPTS) + len(MODEL_CONCEPTS) >= 40
    assert {"prompt_techniques", "token_embeddings", "kv_cache_timing"} <= set(MODEL_CONCEPTS)
    for concept in MODEL_CONCEPTS.values():
        assert 100 <= len(concept.explanation.split()) <= 250 and len(concept.quiz) >= 2 and concept.references


async def test_prompt_techniques_ask_each_trick_with_and_without() -> None:
    rules: list[dict[str, Any]] = [
        {"pattern": "Sentiment:", "response": " negative"},
        {"pattern": "Let's think step by step", "response": " They had 23 - 20 = 3, then 3 + 6 = 9."},
        {"pattern": "Review your previous answer", "response": "17 × 24 = 408. The answer is 408."},
        {"pattern": ".", "response": "Sure."},
    ]
    backend = ScriptedBackend(rules)
    result = await MODEL_CONCEPTS["prompt_techniques"].execute({}, Gateway(backend))
    rows = {row["technique"]: row for row in result["rows"]}
    assert list(rows) == list(TECHNIQUES)
    assert len(backend.prompts) == 2 * 7 + 1  # each trick twice, plus the review turn
    assert rows["examples"]["effect"] == {"without": False, "with": True}
    assert rows["chain_of_thought"]["effect"] == {"without": False, "with": True}
    assert (
        rows["reflect"]["effect"] == {"without": False, "with": True}
        and "[after review]" in rows["reflect"]["with"]["reply"]
    )
    assert (
        rows["persona"]["with"]["system"] and rows["persona"]["without"]["prompt"] == rows["persona"]["with"]["prompt"]
    )
    assert result["technique_helped"] == 3
    assert any("patient primary-school teacher" in p for p in backend.prompts)  # the persona went in as system


@pytest.mark.parametrize("name", ["token_embeddings", "kv_cache_timing"])
async def test_llama_cpp_concepts_refuse_other_backends_clearly(name: str) -> None:
    concept = MODEL_CONCEPTS[name]
    with pytest.raises(InvalidRequest, match="needs the embedded backend; the active backend is 'scripted'"):
        await concept.execute(concept.example, Gateway(ScriptedBackend([])))


def _embedded() -> Gateway:
    pytest.importorskip("llama_cpp")
    return Gateway(EmbeddedBackend(None, Settings().embedded_cache_dir, n_ctx=2048))


@pytest.mark.embedded
async def test_token_embeddings_on_the_embedded_model() -> None:
    gateway = _embedded()
    texts = ["king", "queen", "banana", "The cat sat on the mat."]
    out = await MODEL_CONCEPTS["token_embeddings"].execute({"texts": texts}, gateway)
    assert out["dimension"] == 640  # Gemma 3 270M's hidden size
    cos = np.array([[out["cosine"][a][b] for b in texts] for a in texts])
    assert np.allclose(np.diag(cos), 1.0) and np.allclose(cos, cos.T) and (np.abs(cos) <= 1 + 1e-9).all()
    assert set(out["nearest"]) == set(texts) and all(n["name"] != t for t, n in out["nearest"].items())
    assert out["tokens_per_text"]["The cat sat on the mat."] > out["tokens_per_text"]["king"] >= 1
    chat = await gateway.chat([{"role": "user", "content": "Hello"}])  # the chat model is untouched
    assert isinstance(chat.text, str)
    await gateway.close()


@pytest.mark.embedded
async def test_kv_cache_timing_on_the_embedded_model() -> None:
    gateway = _embedded()
    out = await MODEL_CONCEPTS["kv_cache_timing"].execute(
        {"prompt": "The capital of France is", "new_tokens": 6}, gateway
    )
    p = out["prompt_tokens"]
    cached = [s["positions"] for s in out["with_cache"]["steps"]]
    rebuilt = [s["positions"] for s in out["without_cache"]["steps"]]
    assert cached == [p, 1, 1, 1, 1, 1] and rebuilt == [p + i for i in range(6)]
    assert out["with_cache"]["positions_total"] == p + 5 < out["without_cache"]["positions_total"] == 6 * p + 15
    assert all(s["ms"] > 0 for s in out["with_cache"]["steps"] + out["without_cache"]["steps"])
    assert isinstance(out["same_tokens"], bool) and out["with_cache"]["text"]
    with pytest.raises(InvalidRequest, match="exceed the lab context"):
        await MODEL_CONCEPTS["kv_cache_timing"].execute({"prompt": "9" * 1400, "new_tokens": 64}, gateway)
    await gateway.close()
