"""Position information: sinusoidal encodings (Vaswani et al.) and rotary embeddings (Su et al.)."""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field, model_validator

from tools.concepts._util import ConceptInput, Real, floats, matrix
from tools.concepts.base import Concept, QuizItem
from tools.course.errata import Erratum

# --------------------------------------------------------------------------- sinusoidal


class PositionalInput(ConceptInput):
    n_positions: int = Field(ge=1, le=4096)
    d_model: int = Field(ge=2, le=4096, description="must be even: one sin/cos pair per frequency")
    base: float = Field(default=10000.0, gt=1.0, le=1e9)

    @model_validator(mode="after")
    def _even(self) -> PositionalInput:
        if self.d_model % 2:
            raise ValueError(f"d_model must be even, got {self.d_model}")
        if self.n_positions * self.d_model > 200_000:
            raise ValueError("n_positions × d_model must be at most 200000")
        return self


def sinusoidal(n_positions: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    """PE[pos, 2i] = sin(pos / base^(2i/d)), PE[pos, 2i+1] = cos(pos / base^(2i/d))."""
    pos = np.arange(n_positions, dtype=float)[:, None]
    two_i = np.arange(0, d_model, 2, dtype=float)
    angles = pos / base ** (two_i / d_model)
    pe = np.zeros((n_positions, d_model))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles)
    return pe


def run_positional(inp: PositionalInput) -> dict[str, object]:
    """The encoding matrix plus each pair's wavelength 2π·base^(2i/d)."""
    pe = sinusoidal(inp.n_positions, inp.d_model, inp.base)
    two_i = np.arange(0, inp.d_model, 2, dtype=float)
    return {
        "pe": matrix(pe),
        "wavelengths": floats(2 * math.pi * inp.base ** (two_i / inp.d_model)),
    }


POSITIONAL = Concept(
    name="positional_encoding",
    title="Sinusoidal positional encoding",
    section="Positional Encoding",
    explanation=(
        "Self-attention treats its input as a set: permuting the tokens permutes the outputs in the same "
        "way, so 'A dog chases a cat' and 'A cat chases a dog' would look alike. The original Transformer "
        "therefore adds a position-dependent vector to each token embedding. Vaswani et al. use fixed "
        "sinusoids: PE(pos, 2i) = sin(pos / 10000^(2i/d_model)) and PE(pos, 2i+1) = cos(pos / "
        "10000^(2i/d_model)). Each pair of dimensions is a sine/cosine of one frequency, with wavelengths "
        "forming a geometric progression from 2π to 10000·2π. Because sin and cos of a shifted angle are "
        "linear combinations of the unshifted ones, PE(pos + k) is a fixed linear function (a rotation in "
        "each pair) of PE(pos), which the authors hoped would make relative positions easy to learn; "
        "they chose it because it may let the model extrapolate to lengths not seen in training. Learned "
        "position embeddings, as in GPT-2 and GPT-3, performed about the same in their experiments. The "
        "encoding has no parameters and is added, not concatenated, to the embeddings."
    ),
    input_model=PositionalInput,
    example={"n_positions": 4, "d_model": 4},
    run=run_positional,
    quiz=[
        QuizItem(
            question="What is PE(pos=1, dimension 0) for any d_model?",
            answer="sin(1 / 10000^0) = sin(1) ≈ 0.8415.",
        ),
        QuizItem(
            question="Why did Vaswani et al. choose sinusoids?",
            answer="PE(pos+k) is a linear function of PE(pos), which they hypothesised would make attending by "
            "relative position easy, and it may allow extrapolation to sequences longer than those seen in "
            "training; learned embeddings scored nearly the same.",
        ),
    ],
    references=["Vaswani et al. 2017, §3.5"],
)

# --------------------------------------------------------------------------- RoPE


class RopeInput(ConceptInput):
    q: list[Real] = Field(min_length=2, max_length=4096, description="query vector, even length d")
    k: list[Real] = Field(min_length=2, max_length=4096, description="key vector, same length as q")
    offset: int = Field(default=3, ge=-100000, le=100000, description="m - n for every pair scored")
    starts: list[int] = Field(
        default=[0, 1, 5, 20], min_length=1, max_length=100, description="key positions n; query at n + offset"
    )
    base: float = Field(default=10000.0, gt=1.0, le=1e9)

    @model_validator(mode="after")
    def _shapes(self) -> RopeInput:
        if len(self.q) != len(self.k):
            raise ValueError(f"k has length {len(self.k)} but q has length {len(self.q)}")
        if len(self.q) % 2:
            raise ValueError(f"q and k need an even length to form pairs, got {len(self.q)}")
        if any(abs(s) > 1_000_000 for s in self.starts):
            raise ValueError("starts must lie in [-1000000, 1000000]")
        return self


def rotate(x: np.ndarray, pos: float, base: float = 10000.0) -> np.ndarray:
    """Rotate pair (x_{2i}, x_{2i+1}) by angle pos·θ_i with θ_i = base^(-2i/d) (RoFormer eq. 34)."""
    d = x.shape[-1]
    theta = base ** (-np.arange(0, d, 2, dtype=float) / d)
    ang = pos * theta
    cos, sin = np.cos(ang), np.sin(ang)
    even, odd = x[0::2], x[1::2]
    out = np.empty_like(x, dtype=float)
    out[0::2] = even * cos - odd * sin
    out[1::2] = even * sin + odd * cos
    return out


def run_rope(inp: RopeInput) -> dict[str, object]:
    """Score <R_m q, R_n k> for several (m, n) with m - n fixed: all equal <q, R_{n-m} k>."""
    q = np.asarray(inp.q, dtype=float)
    k = np.asarray(inp.k, dtype=float)
    pairs = []
    for n in inp.starts:
        m = n + inp.offset
        score = float(rotate(q, m, inp.base) @ rotate(k, n, inp.base))
        pairs.append({"m": m, "n": n, "score": score})
    scores = [p["score"] for p in pairs]
    return {
        "pairs": pairs,
        "relative_score": float(q @ rotate(k, -inp.offset, inp.base)),
        "max_abs_deviation": float(max(scores) - min(scores)),
        "unrotated_score": float(q @ k),
        "rotated_q_at_first_m": floats(rotate(q, pairs[0]["m"], inp.base)),
    }


ROPE = Concept(
    name="rope",
    title="Rotary positional embeddings (RoPE)",
    section="Rotary Positional Embeddings (RoPE)",
    explanation=(
        "RoPE (Su et al., RoFormer, 2021) encodes position by rotating query and key vectors instead of "
        "adding a vector to the embeddings. The d dimensions are grouped into d/2 pairs; pair i of a vector "
        "at position m is rotated by the angle m·θ_i with fixed frequencies θ_i = 10000^(-2i/d), the same "
        "frequencies as the sinusoidal encoding. Rotations preserve length, and rotating q by mθ and k by "
        "nθ gives a dot product that depends only on the difference: <R_m q, R_n k> = <q, R_(n-m) k>. "
        "Attention scores therefore carry relative position while the implementation stays absolute and "
        "cheap, and the rotation is applied inside every attention layer to q and k only, not to the "
        "values. Nothing about the rotation is learned or input-dependent: the angles are a fixed function "
        "of position. GPT-NeoX, PaLM and LLaMA use RoPE. This task rotates the given q and k at several "
        "position pairs with the same offset and shows that all the scores agree to rounding error."
    ),
    input_model=RopeInput,
    example={"q": [1.0, 0.5, -0.3, 2.0], "k": [0.2, -1.0, 0.7, 0.4], "offset": 3, "starts": [0, 1, 5, 20]},
    run=run_rope,
    quiz=[
        QuizItem(
            question="Why does the RoPE attention score depend only on m - n?",
            answer="Rotations satisfy R_mᵀ R_n = R_(n-m), so <R_m q, R_n k> = qᵀ R_(n-m) k.",
        ),
        QuizItem(
            question="Are RoPE's rotation angles learned during training?",
            answer="No. They are fixed: angle m·θ_i with θ_i = 10000^(-2i/d).",
        ),
    ],
    references=[
        "Su et al. 2021, RoFormer: Enhanced Transformer with Rotary Position Embedding",
        "Touvron et al. 2023, LLaMA §2.2",
    ],
    errata=[
        Erratum(
            "1366",
            "wrong",
            "The notes say RoPE introduces 'dynamic rotational transformations' and that 'the positional "
            "embeddings are modified during the training process based on the input data and the model's "
            "parameters'",
            "RoPE's rotations are fixed, parameter-free functions of the position (pair i at position m turns by "
            "m·θ_i, θ_i = 10000^(-2i/d)); they are applied to the queries and keys in every layer and make q·k "
            "depend on the relative offset m - n",
            "Su et al. 2021, RoFormer, §3.2 eq. (15)-(16) and (34)",
        ),
        Erratum(
            "1362-1364",
            "imprecise",
            "The notes say traditional positional encodings 'are static and do not change during the model's "
            "training or inference process'",
            "that holds for the sinusoidal encoding; learned absolute position embeddings (GPT-2, GPT-3) are "
            "trained with the model, and both are fixed at inference",
            "Vaswani et al. 2017, §3.5 (sinusoidal vs learned); Radford et al. 2019",
        ),
        Erratum(
            "1357",
            "imprecise",
            "The notes say 'Inspired by the GPT-Neo-X project, LLaMA 2 incorporates rotary positional "
            "embeddings at each layer'",
            "rotary embeddings (introduced by Su et al. 2021) were already in LLaMA 1, which credits GPT-Neo: "
            "'we remove the absolute positional embeddings, and instead, add rotary positional embeddings "
            "(RoPE) ... at each layer'; Llama 2 keeps LLaMA 1's architecture and adds the 4096 context and GQA",
            "Touvron et al. 2023a, LLaMA, §2.2; Touvron et al. 2023b, Llama 2, §2.2",
        ),
    ],
)

CONCEPTS = [POSITIONAL, ROPE]
