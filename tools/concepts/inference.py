"""Inference-time bookkeeping: the KV cache (work per token with and without it) and embedding similarity."""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from tools.concepts._util import ConceptInput, Real, floats
from tools.concepts.attention import kv_cache_bytes
from tools.concepts.base import Concept, QuizItem

# --------------------------------------------------------------------------- KV cache


class KVCacheInput(ConceptInput):
    prompt_tokens: int = Field(ge=1, le=1_000_000)
    new_tokens: int = Field(ge=1, le=100_000)
    n_layers: int = Field(default=32, ge=1, le=1000)
    n_kv_heads: int = Field(default=32, ge=1, le=1024)
    head_dim: int = Field(default=128, ge=1, le=4096)
    bytes_per_elem: int = Field(default=2, ge=1, le=8)


def tokens_processed(prompt_tokens: int, new_tokens: int, cached: bool) -> list[int]:
    """Positions run through the model at each generation step.

    Without a cache step i recomputes keys and values for all P + i positions; with one, step 0 reads the
    prompt once and every later step only the one new token.
    """
    if cached:
        return [prompt_tokens] + [1] * (new_tokens - 1)
    return [prompt_tokens + i for i in range(new_tokens)]


def run_kv_cache(inp: KVCacheInput) -> dict[str, object]:
    """Per-step and total positions processed, both ways, and the cache's size at the end."""
    without = tokens_processed(inp.prompt_tokens, inp.new_tokens, cached=False)
    with_cache = tokens_processed(inp.prompt_tokens, inp.new_tokens, cached=True)
    final_len = inp.prompt_tokens + inp.new_tokens
    per_token = kv_cache_bytes(inp.n_layers, inp.n_kv_heads, inp.head_dim, 1, 1, inp.bytes_per_elem)
    shown = 20
    return {
        "steps_without_cache": without[:shown],
        "steps_with_cache": with_cache[:shown],
        "total_without_cache": sum(without),
        "total_with_cache": sum(with_cache),
        "saving_factor": sum(without) / sum(with_cache),
        "cache_bytes_per_token": per_token,
        "cache_bytes_at_end": per_token * final_len,
        "cache_gib_at_end": per_token * final_len / 2**30,
    }


KV_CACHE = Concept(
    name="kv_cache",
    title="The KV cache: why generation reuses keys and values",
    section="Context window (from 2048 to 4096 tokens)",
    explanation=(
        "A decoder generates one token at a time, and with causal attention the keys and values of earlier "
        "positions never change once computed: position j only ever attends to positions up to j. Without a "
        "cache, step i would run all P + i positions (prompt plus tokens so far) through every layer again, "
        "so generating n tokens processes nP + n(n − 1)/2 positions, quadratic in n. The KV cache stores each "
        "layer's keys and values: the prompt is processed once (the prefill), and every later step runs only "
        "the newest token, computing its query, key and value and attending over the cached keys and values, "
        "for P + n − 1 positions in all. For P = 100 and n = 50 that is 6,225 positions without a cache and "
        "149 with one. The price is memory, 2 × layers × kv heads × head_dim × bytes per token: for LLaMA 7B "
        "(32 layers, 32 heads of 128, fp16) 0.5 MiB per token, 2 GiB for a 4096-token context, which is why "
        "grouped-query attention shares kv heads. The cache is also why a long prompt's first token is slow "
        "and the following ones fast. This task counts positions per step both ways and the cache size; "
        "kv_cache_timing measures it on the model."
    ),
    input_model=KVCacheInput,
    example={"prompt_tokens": 100, "new_tokens": 50},
    run=run_kv_cache,
    quiz=[
        QuizItem(
            question="How many positions are processed to generate 50 tokens after a 100-token prompt, with and "
            "without a KV cache?",
            answer="Without: Σ_{i=0}^{49} (100 + i) = 6,225. With: 100 + 49 = 149.",
        ),
        QuizItem(
            question="How large is LLaMA 7B's KV cache per token in fp16?",
            answer="2 × 32 layers × 32 heads × 128 × 2 bytes = 524,288 bytes = 0.5 MiB; 2 GiB at 4096 tokens.",
        ),
    ],
    references=[
        "Pope et al. 2022, Efficiently Scaling Transformer Inference",
        "Shazeer 2019, Fast Transformer Decoding",
        "Touvron et al. 2023a, LLaMA, Table 2",
    ],
)

# --------------------------------------------------------------------------- embeddings and similarity


class SimilarityInput(ConceptInput):
    vectors: dict[str, list[Real]] = Field(min_length=2, max_length=500, description="name -> embedding")
    analogy: tuple[str, str, str] | None = Field(default=None, description="a - b + c: ['king', 'man', 'woman']")

    @model_validator(mode="after")
    def _shapes(self) -> SimilarityInput:
        widths = {len(v) for v in self.vectors.values()}
        if len(widths) != 1 or 0 in widths:
            raise ValueError("all vectors must be non-empty and have the same length")
        if any(not any(x != 0 for x in v) for v in self.vectors.values()):
            raise ValueError("a zero vector has no direction (cosine similarity is undefined)")
        if self.analogy and any(w not in self.vectors for w in self.analogy):
            raise ValueError("analogy words must all be in vectors")
        return self


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    """cos(u, v) = u·v / (|u||v|) for every pair of rows."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.asarray(np.clip(unit @ unit.T, -1.0, 1.0))


def similarity_report(names: list[str], vectors: np.ndarray) -> dict[str, object]:
    """Cosine matrix and each item's nearest other item (shared by the model-backed embeddings concept)."""
    sims = cosine_matrix(vectors)
    nearest = {}
    for i, name in enumerate(names):
        others = [j for j in range(len(names)) if j != i]
        best = max(others, key=lambda j: (sims[i, j], -j))
        nearest[name] = {"name": names[best], "cosine": float(sims[i, best])}
    return {
        "cosine": {a: dict(zip(names, floats(sims[i]), strict=True)) for i, a in enumerate(names)},
        "nearest": nearest,
    }


def run_similarity(inp: SimilarityInput) -> dict[str, object]:
    """Cosine similarities, nearest neighbours, and the analogy a − b + c's nearest remaining word."""
    names = list(inp.vectors)
    vectors = np.asarray([inp.vectors[n] for n in names], dtype=float)
    out = similarity_report(names, vectors)
    if inp.analogy:
        a, b, c = (vectors[names.index(w)] for w in inp.analogy)
        target = a - b + c
        if np.linalg.norm(target) > 0:
            scores = cosine_matrix(np.vstack([target, vectors]))[0, 1:]
            ranked = sorted((j for j in range(len(names)) if names[j] not in inp.analogy), key=lambda j: -scores[j])
            out["analogy"] = {
                "answer": names[ranked[0]] if ranked else None,
                "cosine": float(scores[ranked[0]]) if ranked else None,
            }
    out["norms"] = dict(zip(names, floats(np.linalg.norm(vectors, axis=1)), strict=True))
    return out


EMBEDDING_SIMILARITY = Concept(
    name="embedding_similarity",
    title="Token embeddings and cosine similarity",
    section="Token Embedding",
    explanation=(
        "A model's first layer maps each token id to a learned vector, its embedding: GPT-3 has a 50,257 × "
        "12,288 embedding matrix, one row per vocabulary entry. Training places tokens used in similar "
        "contexts at similar directions, so geometry carries meaning. Similarity is usually measured by the "
        "cosine of the angle between two vectors, cos(u, v) = u·v / (|u||v|), which ignores length: 1 means the "
        "same direction, 0 orthogonal, −1 opposite. Word2vec (Mikolov et al. 2013) showed that such spaces can "
        "encode relations as offsets: the vector king − man + woman lies closest to queen, when the three "
        "input words are excluded from the search, as they are here. Token embeddings are context-free, the "
        "same vector wherever a token appears; the hidden states after the Transformer layers are contextual, "
        "and mean-pooling them gives a vector for a whole text, which is what retrieval systems compare. This "
        "task computes the cosine matrix, each vector's nearest neighbour and, optionally, an analogy; the "
        "token_embeddings concept does the same with vectors from the active model (llama.cpp)."
    ),
    input_model=SimilarityInput,
    example={
        "vectors": {
            "king": [0.9, 0.8, 0.1],
            "queen": [0.9, 0.1, 0.8],
            "man": [0.5, 0.9, 0.0],
            "woman": [0.5, 0.2, 0.7],
            "apple": [0.0, 0.3, 0.3],
        },
        "analogy": ["king", "man", "woman"],
    },
    run=run_similarity,
    quiz=[
        QuizItem(
            question="What is the cosine similarity of (1, 0) and (1, 1)?",
            answer="1/√2 ≈ 0.7071.",
        ),
        QuizItem(
            question="Why is cosine similarity preferred to the dot product for comparing embeddings?",
            answer="It compares directions only, so a vector's length (often tied to token frequency) does not "
            "dominate the score.",
        ),
    ],
    references=[
        "Mikolov et al. 2013, Efficient Estimation of Word Representations in Vector Space",
        "Brown et al. 2020, Table 2.1 (d_model) and §2.1 (vocabulary)",
        "Reimers & Gurevych 2019, Sentence-BERT (pooled sentence embeddings)",
    ],
)

CONCEPTS = [KV_CACHE, EMBEDDING_SIMILARITY]
