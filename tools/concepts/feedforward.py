"""The Transformer's feed-forward sub-layer: the position-wise ReLU FFN and LLaMA's SwiGLU FFN (W, V, W2)."""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field, model_validator

from tools.concepts._util import ConceptInput, Real, matrix, require_rectangular, sigmoid
from tools.concepts.base import Concept, QuizItem
from tools.course.errata import Erratum

Matrix = list[list[Real]]


def _weights(rng: np.random.Generator, rows: int, cols: int, given: Matrix | None) -> np.ndarray:
    """The given matrix, or a seeded draw scaled 1/√rows (always drawn so a seed gives the same rest)."""
    draw = rng.normal(0.0, 1.0 / math.sqrt(rows), size=(rows, cols))
    return draw if given is None else np.asarray(given, dtype=float)


def _check(name: str, given: Matrix | None, rows: int, cols: int) -> None:
    if given is None:
        return
    width = require_rectangular(name, given)
    if len(given) != rows or width != cols:
        raise ValueError(f"{name} must be {rows} × {cols}, got {len(given)} × {width}")


# --------------------------------------------------------------------------- position-wise FFN


class FFNInput(ConceptInput):
    x: Matrix = Field(min_length=1, max_length=64, description="n positions × d_model")
    d_ff: int = Field(ge=1, le=1024, description="inner width (Vaswani et al.: 4 × d_model)")
    seed: int = Field(default=0, ge=0)
    w1: Matrix | None = Field(default=None, description="d_model × d_ff")
    w2: Matrix | None = Field(default=None, description="d_ff × d_model")

    @model_validator(mode="after")
    def _shapes(self) -> FFNInput:
        d = require_rectangular("x", self.x)
        if d > 256:
            raise ValueError("x rows (d_model) must have at most 256 entries")
        _check("w1", self.w1, d, self.d_ff)
        _check("w2", self.w2, self.d_ff, d)
        return self


def ffn_params(d_model: int, d_ff: int) -> int:
    """W1, b1, W2, b2 of one FFN sub-layer."""
    return 2 * d_model * d_ff + d_ff + d_model


def run_ffn(inp: FFNInput) -> dict[str, object]:
    """FFN(x) = max(0, xW1 + b1)W2 + b2 per row (biases 0 here); reversing the rows reverses the output."""
    x = np.asarray(inp.x, dtype=float)
    d = x.shape[1]
    rng = np.random.default_rng(inp.seed)
    w1 = _weights(rng, d, inp.d_ff, inp.w1)
    w2 = _weights(rng, inp.d_ff, d, inp.w2)

    def ffn(rows: np.ndarray) -> np.ndarray:
        return np.asarray(np.maximum(0.0, rows @ w1) @ w2)

    out = ffn(x)
    one_by_one = np.stack([ffn(row[None, :])[0] for row in x])
    reversed_out = ffn(x[::-1])
    return {
        "hidden": matrix(np.maximum(0.0, x @ w1)),
        "output": matrix(out),
        "same_as_one_position_at_a_time": bool(np.allclose(out, one_by_one)),
        "reversing_positions_reverses_output": bool(np.allclose(reversed_out, out[::-1])),
        "params_per_layer": ffn_params(d, inp.d_ff),
        "base_transformer_params_per_layer": ffn_params(512, 2048),
    }


POSITION_WISE_FFN = Concept(
    name="position_wise_ffn",
    title="The position-wise feed-forward network",
    section="Position-wise Feedforward Networks",
    explanation=(
        "Each Transformer layer has two kinds of sub-layer. Attention is the only one that mixes information "
        "across positions; the other is a feed-forward network applied to each position separately and "
        "identically: FFN(x) = max(0, xW1 + b1)W2 + b2 (Vaswani et al. 2017, §3.3). The same W1 and W2 are used "
        "at every position within a layer, and differ from layer to layer, which the paper likens to two "
        "convolutions with kernel size 1. In the base model d_model = 512 and the inner layer is four times "
        "wider, d_ff = 2048, so one FFN has 2·512·2048 + 2048 + 512 = 2,099,712 parameters, about two thirds of "
        "the layer. Because the rows are processed independently, the FFN cannot relate one token to another: "
        "running it on the whole sequence equals running it on one position at a time, and permuting the "
        "positions only permutes the outputs. Relations between tokens are the work of attention; the FFN "
        "transforms each token's representation after attention has gathered context into it. This task runs "
        "a ReLU FFN (biases zero, weights seeded unless given) and checks both properties."
    ),
    input_model=FFNInput,
    example={"x": [[1.0, 0.0, -1.0, 2.0], [0.5, 1.5, 0.0, -0.5], [2.0, -1.0, 1.0, 0.0]], "d_ff": 16, "seed": 0},
    run=run_ffn,
    quiz=[
        QuizItem(
            question="Can the position-wise FFN relate one token to another?",
            answer="No. It is applied to each position separately with the same weights; only attention mixes "
            "positions.",
        ),
        QuizItem(
            question="How many parameters has the FFN of the base Transformer (d_model 512, d_ff 2048)?",
            answer="2·512·2048 + 2048 + 512 = 2,099,712.",
        ),
    ],
    references=["Vaswani et al. 2017, Attention Is All You Need, §3.3"],
    errata=[
        Erratum(
            "572/574",
            "wrong",
            "The notes say position-wise feedforward networks apply layers 'independently to each position ... "
            "enabling the model to capture complex non-linear relationships between tokens', 'focusing on its "
            "connections with nearby words'",
            "the FFN is applied to each position separately and identically, so it cannot relate tokens or look "
            "at nearby words; mixing across positions is done only by attention",
            "Vaswani et al. 2017, §3.3",
        ),
    ],
)

# --------------------------------------------------------------------------- SwiGLU FFN


class SwiGLUInput(ConceptInput):
    x: Matrix = Field(min_length=1, max_length=64, description="n positions × d_model")
    d_ff: int = Field(ge=1, le=1024, description="hidden width of W and V")
    beta: Real = Field(default=1.0, description="Swish_beta; LLaMA uses beta = 1 (SiLU)")
    seed: int = Field(default=0, ge=0)
    w: Matrix | None = Field(default=None, description="gate projection, d_model × d_ff")
    v: Matrix | None = Field(default=None, description="value projection, d_model × d_ff")
    w2: Matrix | None = Field(default=None, description="output projection, d_ff × d_model")

    @model_validator(mode="after")
    def _shapes(self) -> SwiGLUInput:
        d = require_rectangular("x", self.x)
        if d > 256:
            raise ValueError("x rows (d_model) must have at most 256 entries")
        _check("w", self.w, d, self.d_ff)
        _check("v", self.v, d, self.d_ff)
        _check("w2", self.w2, self.d_ff, d)
        return self


def llama_hidden_dim(d_model: int, multiple_of: int = 256) -> int:
    """LLaMA's SwiGLU width: 2/3 of 4d (same parameters as a 4d ReLU FFN), rounded up to `multiple_of`."""
    hidden = int(2 * 4 * d_model / 3)
    return multiple_of * math.ceil(hidden / multiple_of)


def run_swiglu_ffn(inp: SwiGLUInput) -> dict[str, object]:
    """FFN_SwiGLU(x) = (Swish_β(xW) ⊙ xV) W2, no biases (Shazeer 2020, eq. 6)."""
    x = np.asarray(inp.x, dtype=float)
    d = x.shape[1]
    rng = np.random.default_rng(inp.seed)
    w = _weights(rng, d, inp.d_ff, inp.w)
    v = _weights(rng, d, inp.d_ff, inp.v)
    w2 = _weights(rng, inp.d_ff, d, inp.w2)
    gate_in = x @ w
    gate = gate_in * np.vectorize(lambda z: sigmoid(inp.beta * z))(gate_in)
    value = x @ v
    hidden = gate * value
    llama = llama_hidden_dim(4096)
    return {
        "gate": matrix(gate),
        "value": matrix(value),
        "hidden": matrix(hidden),
        "output": matrix(hidden @ w2),
        "params": 3 * d * inp.d_ff,
        "relu_ffn_params_at_4d_no_bias": 2 * d * 4 * d,
        "llama_7b": {"d_model": 4096, "d_ff": llama, "params": 3 * 4096 * llama, "relu_4d_params": 8 * 4096**2},
    }


SWIGLU_FFN = Concept(
    name="swiglu_ffn",
    title="The SwiGLU feed-forward block (W, V, W2)",
    section="SwiGLU (Sigmoid-Weighted Linear Unit)",
    explanation=(
        "Shazeer (2020) replaced the first layer of the Transformer FFN by a gated linear unit. The input x "
        "goes through two separate projections: a gate xW, passed through Swish_β(z) = z·σ(βz), and a value "
        "xV, left linear. Their element-wise product is projected back by W2: FFN_SwiGLU(x) = (Swish_β(xW) ⊙ "
        "xV)W2, with no biases. The gate decides, per hidden unit, how much of the value passes. There are now "
        "three matrices instead of two, so to keep the parameter count and compute of a ReLU FFN of width 4d "
        "the hidden width is reduced to 2/3·4d: 3·d·(8d/3) = 8d². LLaMA uses SwiGLU with β = 1 (SiLU) and this "
        "2/3·4d width, rounded up to a multiple of 256: for LLaMA 7B, d = 4096 gives 2/3·16384 ≈ 10923, "
        "rounded to 11008, so each FFN has 3·4096·11008 = 135,266,304 weights against 134,217,728 for a ReLU "
        "FFN of width 16384. In Shazeer's experiments the GLU variants gave lower perplexity than ReLU or GELU "
        "FFNs at equal cost; the paper offers no theory for why. This task runs the block on x with seeded "
        "weights (or W, V, W2 you give) and shows the gate, value and hidden activations."
    ),
    input_model=SwiGLUInput,
    example={"x": [[1.0, -0.5, 0.25, 2.0], [0.0, 1.0, -1.0, 0.5]], "d_ff": 8, "seed": 0},
    run=run_swiglu_ffn,
    quiz=[
        QuizItem(
            question="Write the SwiGLU feed-forward block.",
            answer="FFN_SwiGLU(x) = (Swish_β(xW) ⊙ xV) W2, with Swish_β(z) = z·σ(βz) and no biases.",
        ),
        QuizItem(
            question="Why does LLaMA use a hidden width of 2/3·4d for its SwiGLU FFN?",
            answer="SwiGLU has three matrices (W, V, W2) instead of two; 3·d·(8d/3) = 8d² keeps the parameters "
            "of a 4d ReLU FFN. For d = 4096 this is 11008 after rounding up to a multiple of 256.",
        ),
    ],
    references=[
        "Shazeer 2020, GLU Variants Improve Transformer, eq. (6)",
        "Touvron et al. 2023a, LLaMA, §2.2",
        "Dauphin et al. 2017, Language Modeling with Gated Convolutional Networks (GLU)",
    ],
)

CONCEPTS = [POSITION_WISE_FFN, SWIGLU_FFN]
