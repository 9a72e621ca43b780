"""Scaled dot-product attention, multi-head attention and grouped-query attention."""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field, model_validator

from tools.concepts._util import ConceptInput, Real, matrix, require_rectangular, softmax
from tools.concepts.base import Concept, QuizItem
from tools.course.errata import Erratum

Matrix = list[list[Real]]


def scaled_dot_product(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, causal: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """softmax(QKᵀ/√d_k)V. With causal=True, query i (at position n_k - n_q + i) sees keys j <= that position.

    Masked scores are -inf, so their weights are exactly 0 after the stable softmax.
    """
    d_k = q.shape[1]
    scores = q @ k.T / math.sqrt(d_k)
    if causal:
        n_q, n_k = scores.shape
        offset = n_k - n_q
        future = np.arange(n_k)[None, :] > (np.arange(n_q)[:, None] + offset)
        scores = np.where(future, -np.inf, scores)
    weights = softmax(scores, axis=-1)
    return scores, weights, weights @ v


# --------------------------------------------------------------------------- attention


class AttentionInput(ConceptInput):
    q: Matrix = Field(min_length=1, max_length=256, description="queries, n_q × d_k")
    k: Matrix = Field(min_length=1, max_length=256, description="keys, n_k × d_k")
    v: Matrix = Field(min_length=1, max_length=256, description="values, n_k × d_v")
    causal: bool = False

    @model_validator(mode="after")
    def _shapes(self) -> AttentionInput:
        dq = require_rectangular("q", self.q)
        dk = require_rectangular("k", self.k)
        require_rectangular("v", self.v)
        if dq != dk:
            raise ValueError(f"q rows have width {dq} but k rows have width {dk}; d_k must match")
        if len(self.k) != len(self.v):
            raise ValueError(f"k has {len(self.k)} rows but v has {len(self.v)}; one value per key")
        if self.causal and len(self.q) > len(self.k):
            raise ValueError("causal attention needs len(q) <= len(k) (queries are the last positions)")
        return self


def _masked_scores(scores: np.ndarray) -> list[list[float | None]]:
    return [[None if math.isinf(s) else float(s) for s in row] for row in scores]


def run_attention(inp: AttentionInput) -> dict[str, object]:
    """Return scaled scores (None where masked), attention weights and outputs."""
    q, k, v = (np.asarray(m, dtype=float) for m in (inp.q, inp.k, inp.v))
    scores, weights, out = scaled_dot_product(q, k, v, inp.causal)
    return {
        "scale": 1.0 / math.sqrt(q.shape[1]),
        "scores": _masked_scores(scores),
        "weights": matrix(weights),
        "output": matrix(out),
    }


ATTENTION = Concept(
    name="attention",
    title="Scaled dot-product attention with optional causal mask",
    section="Masking",
    explanation=(
        "Attention lets every position build its output as a weighted average of value vectors. Each "
        "query q_i is compared with every key k_j by a dot product; Vaswani et al. scale the scores by "
        "1/√d_k because for large d_k the dot products grow large and push softmax into regions with tiny "
        "gradients. A softmax over each row turns the scores into weights that are positive and sum to one, "
        "and the output is Attention(Q, K, V) = softmax(QKᵀ/√d_k)V. In a decoder the mask prevents a position "
        "from attending to later positions: the scores of future keys are set to -∞ before the softmax, so "
        "their weights are exactly zero and the model cannot peek at the tokens it is meant to predict. "
        "This is what makes training on whole sequences equivalent to left-to-right generation. Subtracting "
        "each row's maximum before exponentiating keeps the softmax numerically stable. Here, when there "
        "are fewer queries than keys, the queries are taken to be the last positions, as with a KV cache."
    ),
    input_model=AttentionInput,
    example={
        "q": [[1, 0], [0, 1], [1, 1]],
        "k": [[1, 0], [0, 1], [1, 1]],
        "v": [[1, 2], [3, 4], [5, 6]],
        "causal": True,
    },
    run=run_attention,
    quiz=[
        QuizItem(
            question="Why are attention scores divided by √d_k?",
            answer="Dot products of d_k-dimensional vectors have variance growing with d_k; large scores "
            "saturate the softmax and give vanishing gradients, so they are scaled by 1/√d_k.",
        ),
        QuizItem(
            question="How does the causal mask make future weights exactly zero?",
            answer="Scores for keys after the query position are set to -∞ before the softmax, and exp(-∞) = 0.",
        ),
    ],
    references=["Vaswani et al. 2017, Attention Is All You Need, §3.2.1 and §3.2.3"],
    errata=[
        Erratum(
            "566",
            "imprecise",
            "The notes say 'Masking is applied to prevent the model from attending to future tokens during training'",
            "the mask is part of every decoder self-attention layer, at inference too (a prompt's tokens are "
            "processed together and each must still see only its left context); it preserves the "
            "auto-regressive property, which is what lets training score all positions of a sequence in "
            "parallel",
            "Vaswani et al. 2017, §3.2.3",
        ),
    ],
)

# --------------------------------------------------------------------------- multi-head


class MultiHeadInput(ConceptInput):
    x: Matrix = Field(min_length=1, max_length=128, description="token representations, n × d_model")
    n_heads: int = Field(ge=1, le=64)
    causal: bool = False
    seed: int = Field(default=0, ge=0, description="seeds the projections when they are not given")
    w_q: Matrix | None = None
    w_k: Matrix | None = None
    w_v: Matrix | None = None
    w_o: Matrix | None = None

    @model_validator(mode="after")
    def _shapes(self) -> MultiHeadInput:
        d = require_rectangular("x", self.x)
        if d > 512:
            raise ValueError("x rows (d_model) must have at most 512 entries")
        if d % self.n_heads:
            raise ValueError(f"n_heads={self.n_heads} must divide d_model={d}")
        for name in ("w_q", "w_k", "w_v", "w_o"):
            w = getattr(self, name)
            if w is not None:
                cols = require_rectangular(name, w)
                if len(w) != d or cols != d:
                    raise ValueError(f"{name} must be {d} × {d} (d_model × d_model), got {len(w)} × {cols}")
        return self


def run_multi_head(inp: MultiHeadInput) -> dict[str, object]:
    """Project, split into h heads of size d_model/h, attend per head, concatenate, project with W_O."""
    x = np.asarray(inp.x, dtype=float)
    d = x.shape[1]
    h = inp.n_heads
    d_head = d // h
    rng = np.random.default_rng(inp.seed)

    def weight(given: list[list[float]] | None) -> np.ndarray:
        draw = rng.normal(0.0, 1.0 / math.sqrt(d), size=(d, d))  # always drawn: same seed, same matrices
        return draw if given is None else np.asarray(given, dtype=float)

    w_q, w_k, w_v, w_o = (weight(m) for m in (inp.w_q, inp.w_k, inp.w_v, inp.w_o))
    q, k, v = x @ w_q, x @ w_k, x @ w_v
    heads = []
    outputs = []
    for i in range(h):
        cols = slice(i * d_head, (i + 1) * d_head)
        _, weights, out = scaled_dot_product(q[:, cols], k[:, cols], v[:, cols], inp.causal)
        heads.append({"head": i, "weights": matrix(weights), "output": matrix(out)})
        outputs.append(out)
    concat = np.concatenate(outputs, axis=1)
    return {
        "d_model": d,
        "d_head": d_head,
        "heads": heads,
        "concat": matrix(concat),
        "output": matrix(concat @ w_o),
        "projections": {"w_q": matrix(w_q), "w_k": matrix(w_k), "w_v": matrix(w_v), "w_o": matrix(w_o)},
    }


MULTI_HEAD = Concept(
    name="multi_head_attention",
    title="Multi-head attention",
    section="Multi Head Attention Mechanism",
    explanation=(
        "Multi-head attention runs several attention functions in parallel on different learned "
        "projections of the same input. With model width d_model and h heads, each head i has its own "
        "projections W_i^Q, W_i^K, W_i^V of size d_model × d_head, where d_head = d_model / h; in practice one "
        "d_model × d_model matrix is computed and its columns are split into h slices. Each head computes "
        "softmax(Q_i K_iᵀ / √d_head) V_i, so different heads can attend to different positions and "
        "relations (for example one to the previous token, another to a related noun). The head outputs, "
        "not their attention scores, are concatenated back to width d_model and multiplied by an output "
        "matrix W^O: MultiHead(Q,K,V) = Concat(head_1..head_h) W^O. Because each head is smaller, the total "
        "cost is similar to single-head attention of full width. In a decoder, self-attention looks at the "
        "already generated tokens; attending to the encoder's outputs is a separate cross-attention "
        "sub-layer whose queries come from the decoder and keys and values from the encoder."
    ),
    input_model=MultiHeadInput,
    example={"x": [[1, 0, 1, 0], [0, 2, 0, 1], [1, 1, 1, 1]], "n_heads": 2, "causal": True, "seed": 0},
    run=run_multi_head,
    quiz=[
        QuizItem(
            question="How are the heads combined in Vaswani et al.?",
            answer="Their outputs are concatenated and multiplied by W^O: Concat(head_1..head_h) W^O.",
        ),
        QuizItem(
            question="For d_model = 512 and h = 8, what is d_head?",
            answer="64 (d_model / h).",
        ),
        QuizItem(
            question="Is a decoder attending to encoder outputs doing self-attention?",
            answer="No, that is encoder-decoder (cross) attention: queries from the decoder, keys and "
            "values from the encoder.",
        ),
    ],
    references=["Vaswani et al. 2017, §3.2.2"],
    errata=[
        Erratum(
            "834",
            "wrong",
            "The notes say 'The attention scores from all the heads are combined, typically through concatenation "
            "or averaging'",
            "the heads' outputs (weighted sums of values), not their scores, are concatenated and projected, "
            "MultiHead(Q, K, V) = Concat(head_1, ..., head_h)W^O; they are not averaged",
            "Vaswani et al. 2017, §3.2.2",
        ),
        Erratum(
            "829/832",
            "wrong",
            "The notes say that in the decoder 'the model performs self-attention over the encoded input sequence'",
            "attention from the decoder to the encoder's outputs is encoder-decoder (cross) attention, with "
            "queries from the decoder and keys and values from the encoder; decoder self-attention is over the "
            "decoder's own earlier positions",
            "Vaswani et al. 2017, §3.2.3",
        ),
    ],
)

# --------------------------------------------------------------------------- GQA


class GQAInput(ConceptInput):
    n_layers: int = Field(ge=1, le=1000)
    n_heads: int = Field(ge=1, le=1024, description="query heads")
    n_kv_heads: int = Field(ge=1, le=1024, description="key/value heads (groups)")
    head_dim: int = Field(ge=1, le=4096)
    seq_len: int = Field(ge=1, le=10_000_000)
    batch: int = Field(default=1, ge=1, le=100_000)
    bytes_per_elem: int = Field(default=2, ge=1, le=8, description="2 for fp16/bf16")

    @model_validator(mode="after")
    def _groups(self) -> GQAInput:
        if self.n_kv_heads > self.n_heads or self.n_heads % self.n_kv_heads:
            raise ValueError(f"n_kv_heads={self.n_kv_heads} must divide n_heads={self.n_heads}")
        return self


def kv_cache_bytes(n_layers: int, kv_heads: int, head_dim: int, seq_len: int, batch: int, nbytes: int) -> int:
    """K and V (factor 2) for every layer, kv head, position and sequence in the batch."""
    return 2 * n_layers * kv_heads * head_dim * seq_len * batch * nbytes


def run_gqa(inp: GQAInput) -> dict[str, object]:
    """Query head h reads kv group h // (n_heads / n_kv_heads); the cache scales with n_kv_heads."""
    group = inp.n_heads // inp.n_kv_heads
    args = (inp.n_layers, inp.head_dim, inp.seq_len, inp.batch, inp.bytes_per_elem)

    def cache(kv: int) -> int:
        return kv_cache_bytes(args[0], kv, *args[1:])

    sizes = {"mha": cache(inp.n_heads), "gqa": cache(inp.n_kv_heads), "mqa": cache(1)}
    return {
        "group_size": group,
        "head_to_kv_group": [h // group for h in range(inp.n_heads)],
        "kv_cache_bytes": sizes,
        "kv_cache_gib": {key: val / 2**30 for key, val in sizes.items()},
        "reduction_vs_mha": inp.n_heads / inp.n_kv_heads,
        "kv_projection_params_per_layer": {
            "mha": 2 * (inp.n_heads * inp.head_dim) * inp.n_heads * inp.head_dim,
            "gqa": 2 * (inp.n_heads * inp.head_dim) * inp.n_kv_heads * inp.head_dim,
        },
    }


GQA = Concept(
    name="grouped_query_attention",
    title="Grouped-query attention and the KV cache",
    section="Grouped-Query Attention (GQA)",
    explanation=(
        "During generation a decoder caches the keys and values of all previous tokens, so each new token "
        "only computes its own. For standard multi-head attention the cache holds "
        "2 × layers × heads × head_dim × sequence length × batch numbers, which for long contexts dominates "
        "memory and memory bandwidth. Multi-query attention (Shazeer 2019) shares a single key/value head "
        "among all query heads, shrinking the cache by a factor of h but costing quality. Grouped-query "
        "attention (Ainslie et al. 2023) interpolates: the h query heads are split into G groups and each "
        "group shares one key/value head, so query head i uses kv head floor(i / (h/G)). G = h recovers MHA "
        "and G = 1 is MQA. Every query still attends to every (allowed) token; what is grouped is heads, not "
        "tokens, and the saving is in the KV cache and K/V projections, not in the number of attention "
        "scores. Llama 2 uses GQA with 8 kv heads in its 34B and 70B models; for the 70B model at 4096 "
        "tokens in fp16 that is 1.25 GiB per sequence instead of 10 GiB."
    ),
    input_model=GQAInput,
    example={
        "n_layers": 80,
        "n_heads": 64,
        "n_kv_heads": 8,
        "head_dim": 128,
        "seq_len": 4096,
        "batch": 1,
        "bytes_per_elem": 2,
    },
    run=run_gqa,
    quiz=[
        QuizItem(
            question="With 64 query heads and 8 kv heads, which kv head does query head 13 use?",
            answer="Group size is 8, so kv head 13 // 8 = 1.",
        ),
        QuizItem(
            question="Does GQA split the sequence into groups of tokens?",
            answer="No. It groups query heads to share key/value heads; each query still attends over all "
            "tokens. The gain is a smaller KV cache and less memory traffic.",
        ),
    ],
    references=[
        "Ainslie et al. 2023, GQA",
        "Shazeer 2019, Fast Transformer Decoding (MQA)",
        "Touvron et al. 2023, Llama 2 §2.2",
    ],
    errata=[
        Erratum(
            "1405-1407",
            "wrong",
            "The notes say GQA 'divides the tokens into groups and attends to each group separately', e.g. "
            "'groups of 512 tokens each'",
            "GQA divides the query heads into G groups that each share one key and value head; every query "
            "still attends over all tokens. It shrinks the KV cache and memory traffic, not the number of token "
            "pairs attended",
            "Ainslie et al. 2023, GQA, §2.2",
        ),
        Erratum(
            "1392",
            "imprecise",
            "The notes say the 'LLaMA 2 model ... employs grouped-query attention'",
            "in Llama 2 only the 34B and 70B models use GQA; the 7B and 13B models use standard multi-head attention",
            "Touvron et al. 2023b, Llama 2, Table 1 and §2.2",
        ),
    ],
)

CONCEPTS = [ATTENTION, MULTI_HEAD, GQA]
