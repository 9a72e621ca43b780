"""Transformer architecture bookkeeping: parameter counts and encoder/decoder layer types."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from tools.concepts._util import ConceptInput
from tools.concepts.base import Concept, QuizItem
from tools.course.errata import Erratum

# --------------------------------------------------------------------------- parameter count


class ParameterCountInput(ConceptInput):
    n_layers: int = Field(ge=1, le=1000)
    d_model: int = Field(ge=1, le=1_000_000)
    vocab_size: int = Field(ge=1, le=10_000_000)
    n_ctx: int = Field(ge=1, le=10_000_000, description="learned position embeddings, one per position")
    d_ff: int | None = Field(default=None, ge=1, le=10_000_000, description="MLP width; default 4·d_model")


def run_parameter_count(inp: ParameterCountInput) -> dict[str, object]:
    """GPT-2/3 layout: embeddings + L × (attention + MLP + 2 LayerNorms) + final LayerNorm; tied output."""
    d = inp.d_model
    d_ff = 4 * d if inp.d_ff is None else inp.d_ff
    attention = 4 * d * d + 4 * d  # W_Q, W_K, W_V, W_O and their biases
    mlp = 2 * d * d_ff + d_ff + d  # up and down projections with biases (8d² + 5d when d_ff = 4d)
    layernorms = 4 * d  # two LayerNorms, each gain + bias
    per_layer = attention + mlp + layernorms
    breakdown = {
        "token_embedding": inp.vocab_size * d,
        "position_embedding": inp.n_ctx * d,
        "attention_per_layer": attention,
        "mlp_per_layer": mlp,
        "layernorm_per_layer": layernorms,
        "per_layer": per_layer,
        "all_layers": inp.n_layers * per_layer,
        "final_layernorm": 2 * d,
        "output_projection": 0,  # tied to the token embedding
    }
    total = (
        breakdown["token_embedding"]
        + breakdown["position_embedding"]
        + breakdown["all_layers"]
        + breakdown["final_layernorm"]
    )
    return {"total": total, "breakdown": breakdown, "approx_12_L_d2": 12 * inp.n_layers * d * d}


PARAMETER_COUNT = Concept(
    name="parameter_count",
    title="Counting the parameters of a GPT-style decoder",
    section="GPT Parameters",
    explanation=(
        "A GPT-2/GPT-3 style decoder's parameters can be counted exactly from its shape. The token embedding "
        "has vocab × d_model entries and the learned position embedding n_ctx × d_model; the output layer "
        "reuses (ties) the token embedding. Each of the L layers has attention with W_Q, W_K, W_V and W_O, "
        "each d × d with a bias, so 4d² + 4d (independent of the number of heads, since heads × d_head = d); "
        "an MLP with d_ff = 4d: d·4d + 4d for the up-projection and 4d·d + d for the down-projection, "
        "8d² + 5d; and two LayerNorms with gain and bias, 4d. A final LayerNorm adds 2d. The total is "
        "V·d + n_ctx·d + L(12d² + 13d) + 2d, which is about 12·L·d² for large models. For GPT-3 175B "
        "(L = 96, d = 12288, V = 50257, n_ctx = 2048) this gives 174.6 billion, matching Table 2.1 of Brown "
        "et al. (2020) after rounding; the other rows agree within 2%. Learning rate and batch size in that "
        "table are training hyperparameters, not parameters."
    ),
    input_model=ParameterCountInput,
    example={"n_layers": 96, "d_model": 12288, "vocab_size": 50257, "n_ctx": 2048},
    run=run_parameter_count,
    quiz=[
        QuizItem(
            question="Roughly how many parameters per layer does a GPT block with d_ff = 4d have?",
            answer="12d² + 13d: 4d² + 4d attention, 8d² + 5d MLP, 4d LayerNorm.",
        ),
        QuizItem(
            question="What is GPT-3's d_model and how large is its token embedding matrix?",
            answer="d_model = 12288; the embedding is 50257 × 12288 ≈ 617.6M parameters.",
        ),
    ],
    references=[
        "Brown et al. 2020, Language Models are Few-Shot Learners, Table 2.1",
        "Radford et al. 2019 (GPT-2)",
        "Kaplan et al. 2020, §2.1",
    ],
    errata=[
        Erratum(
            "795",
            "wrong",
            "The notes say 'each token is represented by a vector of 12888 elements'",
            "GPT-3 175B has d_model = 12288, so each token embedding has 12288 elements (the same figure the "
            "notes' own table gives on line 1092)",
            "Brown et al. 2020, Table 2.1",
        ),
        Erratum(
            "1116",
            "imprecise",
            "The notes say 'Typically, d_heads is calculated as d_model divided by n_heads'",
            "that holds for 6 of the 8 rows of the table the notes reproduce: GPT-3 XL lists d_head = 128 although "
            "2048 / 24 ≈ 85.3, and the 13B row as printed gives 5140 / 40 = 128.5 (its d_head is 128, and "
            "40 × 128 = 5120)",
            "Brown et al. 2020, Table 2.1 (ratios recomputed)",
        ),
        Erratum(
            "843",
            "wrong",
            "The notes say engineers 'trained it on over 45 terabytes of data'",
            "45 TB was the compressed Common Crawl plaintext before filtering; after filtering it was 570 GB "
            "(about 400 billion BPE tokens), and training used 300 billion tokens drawn from a weighted mix of "
            "Common Crawl, WebText2, Books1, Books2 and Wikipedia",
            "Brown et al. 2020, §2.2 and Table 2.2",
        ),
        Erratum(
            "843",
            "imprecise",
            "The notes say 'GPT-3 was trained with over 175 billion parameters'",
            "Table 2.1 gives 175.0B for the largest model, and counting its weights from the table's shape "
            "(L = 96, d = 12288, vocabulary 50257, 2048 positions) gives about 174.6 billion, not more than 175 "
            "billion",
            "Brown et al. 2020, Table 2.1 (count recomputed)",
        ),
        Erratum(
            "1094/1120",
            "wrong",
            "The notes define batch_size as 'the number of input examples (sequences) processed in parallel "
            "during each training iteration'",
            "the batch sizes in the table are in tokens, as its own caption says (batch size in tokens): 0.5M "
            "tokens is about 0.5M / 2048 ≈ 244 sequences of the 2048-token context, and GPT-3 175B's 3.2M tokens "
            "about 1,563 sequences",
            "Brown et al. 2020, Table 2.1 caption and §2.1 (n_ctx = 2048)",
        ),
    ],
)

# --------------------------------------------------------------------------- layer types

Architecture = Literal["encoder_only", "decoder_only", "encoder_decoder"]


class LayerTypesInput(ConceptInput):
    architecture: Architecture
    src_len: int = Field(default=4, ge=1, le=64, description="input (source) length")
    tgt_len: int = Field(default=3, ge=1, le=64, description="output (target) length; decoder only/enc-dec")

    @model_validator(mode="after")
    def _lengths(self) -> LayerTypesInput:
        if self.architecture == "encoder_only" and "tgt_len" in self.model_fields_set:
            raise ValueError("tgt_len is not used by an encoder_only model")
        return self


def _full(rows: int, cols: int) -> list[list[int]]:
    return [[1] * cols for _ in range(rows)]


def _causal(n: int) -> list[list[int]]:
    return [[1 if j <= i else 0 for j in range(n)] for i in range(n)]


def run_layer_types(inp: LayerTypesInput) -> dict[str, object]:
    """Which attention masks each architecture uses (1 = may attend) and what its outputs are."""
    if inp.architecture == "encoder_only":
        return {
            "masks": {"encoder_self_attention": _full(inp.src_len, inp.src_len)},
            "outputs": f"{inp.src_len} contextual vectors, one per input token",
            "examples": ["BERT", "RoBERTa"],
            "sublayers_per_layer": ["self-attention (bidirectional)", "feed-forward"],
        }
    if inp.architecture == "decoder_only":
        n = inp.src_len + inp.tgt_len
        return {
            "masks": {"decoder_self_attention": _causal(n)},
            "outputs": f"{n} next-token distributions (prompt + generated), one per position",
            "examples": ["GPT-2", "GPT-3", "LLaMA"],
            "sublayers_per_layer": ["masked self-attention", "feed-forward"],
        }
    return {
        "masks": {
            "encoder_self_attention": _full(inp.src_len, inp.src_len),
            "decoder_self_attention": _causal(inp.tgt_len),
            "cross_attention": _full(inp.tgt_len, inp.src_len),
        },
        "outputs": f"encoder: {inp.src_len} vectors (not one fixed vector); decoder: {inp.tgt_len} distributions",
        "examples": ["original Transformer", "T5", "BART"],
        "sublayers_per_layer": [
            "decoder: masked self-attention",
            "cross-attention to all encoder outputs",
            "feed-forward",
        ],
    }


LAYER_TYPES = Concept(
    name="layer_types",
    title="Encoder-only, decoder-only and encoder-decoder Transformers",
    section="The King of AI Architecture",
    explanation=(
        "Transformer variants differ mainly in which attention masks they use. An encoder-only model such as "
        "BERT applies bidirectional self-attention: every token attends to every other, and the output is one "
        "contextual vector per input token; a classifier typically pools these or reads a special [CLS] "
        "position. A decoder-only model such as GPT or LLaMA applies causal (masked) self-attention, so "
        "position i sees only positions up to i, and it is trained to predict each next token; prompt and "
        "generated text share one sequence. An encoder-decoder model such as the original Transformer or T5 "
        "encodes the source bidirectionally into a sequence of vectors, one per source token, not a single "
        "fixed-length vector; each decoder layer then has masked self-attention over the target so far, "
        "cross-attention whose queries come from the decoder and whose keys and values are all encoder "
        "outputs, and a feed-forward block. Transformer decoders have no recurrent hidden state to "
        "initialise; context reaches them only through attention. This task prints the masks (1 = may attend)."
    ),
    input_model=LayerTypesInput,
    example={"architecture": "encoder_decoder", "src_len": 4, "tgt_len": 3},
    run=run_layer_types,
    quiz=[
        QuizItem(
            question="What does the encoder of an encoder-decoder Transformer pass to the decoder?",
            answer="The whole sequence of encoder output vectors (one per source token), used as keys and "
            "values of cross-attention, not a single fixed-length vector.",
        ),
        QuizItem(
            question="Which mask does a decoder-only model use?",
            answer="A causal (lower-triangular) mask: position i attends only to positions ≤ i.",
        ),
    ],
    references=["Vaswani et al. 2017 §3.1-3.2.3", "Devlin et al. 2019 (BERT)", "Radford et al. 2018/2019 (GPT)"],
    errata=[
        Erratum(
            "327/337",
            "wrong",
            "The notes say the encoder 'produces a fixed-length representation' and the encoder-decoder model "
            "'encodes it into a fixed-length representation'",
            "a Transformer encoder outputs one vector per input token, and every decoder layer cross-attends over "
            "all of them; a single fixed-length vector was the bottleneck of RNN encoder-decoders that attention "
            "removed",
            "Vaswani et al. 2017, §3.1-§3.2.3; Bahdanau, Cho & Bengio 2015, §1",
        ),
        Erratum(
            "526",
            "wrong",
            "The notes say 'The decoder initializes its initial hidden state using the context vector obtained "
            "from the encoder'",
            "that describes RNN decoders; a Transformer decoder has no recurrent hidden state and receives the "
            "encoder's information only through encoder-decoder attention",
            "Vaswani et al. 2017, §3.1 and §3.2.3",
        ),
    ],
)

CONCEPTS = [PARAMETER_COUNT, LAYER_TYPES]
