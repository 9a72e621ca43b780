"""Building blocks of a neural network layer: the neuron, activations, softmax, normalisation, Add & Norm."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from tools.concepts._util import ConceptInput, Real, floats, sigmoid, softmax
from tools.concepts.base import Concept, QuizItem
from tools.course.errata import Erratum

# --------------------------------------------------------------------------- neuron

NeuronActivation = Literal["sigmoid", "relu", "tanh", "identity"]


def _apply_scalar(name: str, z: float) -> float:
    if name == "sigmoid":
        return sigmoid(z)
    if name == "relu":
        return max(0.0, z)
    if name == "tanh":
        return math.tanh(z)
    return z


class NeuronInput(ConceptInput):
    x: list[Real] = Field(min_length=1, max_length=1000, description="input features x_1..x_n")
    w: list[Real] = Field(min_length=1, max_length=1000, description="one weight per input")
    b: Real = Field(default=0.0, description="bias")
    activation: NeuronActivation = "sigmoid"

    @model_validator(mode="after")
    def _same_length(self) -> NeuronInput:
        if len(self.x) != len(self.w):
            raise ValueError(f"w has length {len(self.w)} but x has length {len(self.x)}; they must match")
        return self


def run_neuron(inp: NeuronInput) -> dict[str, object]:
    """z = w·x + b, y = f(z); also return the per-input products so the arithmetic can be checked."""
    products = [xi * wi for xi, wi in zip(inp.x, inp.w, strict=True)]
    z = math.fsum(products) + inp.b
    return {"products": floats(products), "z": float(z), "y": float(_apply_scalar(inp.activation, z))}


NEURON = Concept(
    name="neuron",
    title="A single artificial neuron",
    section="Neural Network Language Model",
    explanation=(
        "A neuron is the smallest computing unit of a neural network. It receives a vector of inputs "
        "x_1..x_n, multiplies each by a learned weight w_i, adds a learned bias b and obtains the "
        "pre-activation z = w_1 x_1 + ... + w_n x_n + b. It then applies a non-linear activation "
        "function, y = f(z). Without the non-linearity a stack of layers would collapse into one linear "
        "map, so the network could only draw straight decision boundaries. Common choices are the "
        "sigmoid 1/(1+e^(-z)), which squashes z into (0,1); tanh, which squashes into (-1,1); and ReLU, "
        "max(0,z). Each neuron owns its own bias: a layer of m neurons has an m-dimensional bias vector, "
        "not one shared number. The weights and biases are the parameters that gradient descent adjusts "
        "during training; the learning rate is a hyperparameter that sets the step size and is not "
        "learned. Note the sign inside the sigmoid: for z = -0.7 we compute 1/(1+e^(0.7)), which is "
        "about 0.332, below one half, as any negative z must give."
    ),
    input_model=NeuronInput,
    example={"x": [2, 3, 1], "w": [0.5, -1, 0.3], "b": 1, "activation": "sigmoid"},
    run=run_neuron,
    quiz=[
        QuizItem(
            question="For x=(2,3,1), w=(0.5,-1,0.3), b=1 and a sigmoid activation, what are z and y?",
            answer="z = 1 - 3 + 0.3 + 1 = -0.7 and y = 1/(1+e^0.7) ≈ 0.332 (not 0.669, which is sigmoid(+0.7)).",
        ),
        QuizItem(
            question="Why is a non-linear activation needed?",
            answer="A composition of linear layers is itself linear, so without a non-linearity the network "
            "can only represent linear functions and linear decision boundaries.",
        ),
        QuizItem(
            question="Is the bias shared by all neurons in a layer?",
            answer="No. Each neuron has its own bias; a layer has a bias vector with one entry per neuron.",
        ),
    ],
    references=["Rosenblatt 1958; Goodfellow, Bengio & Courville, Deep Learning (2016), ch. 6"],
    errata=[
        Erratum(
            "451",
            "wrong",
            "The notes compute 'y = 1 / (1 + e^{-0.7}) ... y ≈ 0.669' for z = -0.7",
            "σ(z) = 1/(1 + e^{-z}), so σ(-0.7) = 1/(1 + e^{0.7}) = 1/3.0138 ≈ 0.332; 0.669 is σ(+0.7). "
            "z = -0.7 itself is right",
            "The logistic sigmoid as the notes define it on line 450",
        ),
        Erratum(
            "491",
            "wrong",
            "The notes say the bias 'is the same for a specific layer and applied layerwise'",
            "every unit has its own bias: a layer computes g(Wᵀx + b) with a bias vector b, one entry per unit",
            "Goodfellow, Bengio & Courville 2016, Deep Learning, §6.1 and §6.3",
        ),
        Erratum(
            "510",
            "imprecise",
            "The notes list the 'Learning rate' among the parameters of the network",
            "the learning rate is a training hyper-parameter set by the engineer, not a learned parameter; "
            "Table 2.1 calls batch size and learning rate 'learning hyper-parameters', and n_params does not "
            "count it. The notes' description of what it does (line 512) is right",
            "Brown et al. 2020, Table 2.1",
        ),
    ],
)

# --------------------------------------------------------------------------- activation

ActivationName = Literal["relu", "elu", "gelu", "gelu_tanh", "swish", "sigmoid", "tanh", "swiglu"]


class ActivationInput(ConceptInput):
    name: ActivationName
    x: list[Real] | None = Field(default=None, min_length=1, max_length=10000)
    alpha: Real = Field(default=1.0, description="ELU scale for negative inputs")
    beta: Real = Field(default=1.0, description="Swish / SwiGLU slope: Swish_beta(x) = x*sigmoid(beta*x)")
    gate: list[Real] | None = Field(default=None, min_length=1, max_length=10000, description="xW")
    value: list[Real] | None = Field(default=None, min_length=1, max_length=10000, description="xV")

    @model_validator(mode="after")
    def _fields_for_name(self) -> ActivationInput:
        if self.name == "swiglu":
            if self.gate is None or self.value is None:
                raise ValueError("swiglu needs both gate (= xW) and value (= xV)")
            if len(self.gate) != len(self.value):
                raise ValueError(
                    f"gate has length {len(self.gate)} but value has length {len(self.value)}; they must match"
                )
            if self.x is not None:
                raise ValueError("x is not used by swiglu; pass gate and value instead")
        else:
            if self.x is None:
                raise ValueError(f"x is required for activation {self.name!r}")
            if self.gate is not None or self.value is not None:
                raise ValueError("gate and value are only used by swiglu")
        return self


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu(x: float) -> float:
    """Exact GELU, x·Φ(x) with Φ the standard normal CDF (Hendrycks & Gimpel 2016)."""
    return 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))


def gelu_tanh(x: float) -> float:
    """The tanh approximation used by GPT-2/GPT-3: tanh wraps sqrt(2/pi)·(x + 0.044715x³)."""
    return 0.5 * x * (1.0 + math.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3)))


def swish(x: float, beta: float = 1.0) -> float:
    """Swish_beta(x) = x·σ(beta·x) (Ramachandran et al. 2017); beta = 1 is SiLU."""
    return x * sigmoid(beta * x)


def elu(x: float, alpha: float = 1.0) -> float:
    """ELU (Clevert et al. 2015): x for x > 0, alpha·(e^x − 1) otherwise."""
    return x if x > 0 else alpha * math.expm1(x)


def run_activation(inp: ActivationInput) -> dict[str, object]:
    """Apply the named activation element-wise (SwiGLU: Swish_beta(gate) ⊙ value)."""
    if inp.name == "swiglu":
        assert inp.gate is not None and inp.value is not None
        y = [swish(g, inp.beta) * v for g, v in zip(inp.gate, inp.value, strict=True)]
        return {"y": floats(y), "formula": "Swish_beta(xW) * (xV)"}
    assert inp.x is not None
    fn = {
        "relu": lambda t: max(0.0, t),
        "elu": lambda t: elu(t, inp.alpha),
        "gelu": gelu,
        "gelu_tanh": gelu_tanh,
        "swish": lambda t: swish(t, inp.beta),
        "sigmoid": sigmoid,
        "tanh": math.tanh,
    }[inp.name]
    formulas = {
        "relu": "max(0, x)",
        "elu": "x if x > 0 else alpha*(exp(x)-1)",
        "gelu": "x * Phi(x) = 0.5x(1+erf(x/sqrt2))",
        "gelu_tanh": "0.5x(1+tanh(sqrt(2/pi)(x+0.044715x^3)))",
        "swish": "x * sigmoid(beta*x)",
        "sigmoid": "1/(1+exp(-x))",
        "tanh": "tanh(x)",
    }
    return {"y": floats(fn(t) for t in inp.x), "formula": formulas[inp.name]}


ACTIVATION = Concept(
    name="activation",
    title="Activation functions: ReLU, ELU, GELU, Swish and SwiGLU",
    section="Activation Function",
    explanation=(
        "Activation functions add non-linearity after each linear map. ReLU, max(0,x), is cheap but has "
        "zero gradient for negative inputs. ELU (Clevert et al.) uses alpha(e^x - 1) for x <= 0, so "
        "negative outputs saturate at -alpha. GELU (Hendrycks & Gimpel) weights the input by the "
        "probability that a standard normal variable is below it: GELU(x) = x·Φ(x); GPT-2 and GPT-3 use the "
        "tanh approximation 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). GELU is smooth and non-monotonic, "
        "with a minimum near x ≈ -0.75 where its derivative is zero. Swish (Ramachandran et al.) is "
        "x·σ(βx); with β = 1 it is also called SiLU. SwiGLU (Shazeer 2020) is not an element-wise function "
        "of one vector: it is a gated linear unit whose gate is passed through Swish, "
        "SwiGLU(x) = Swish_β(xW) ⊙ (xV), with two separate projections W and V followed by an output "
        "projection. LLaMA uses it in the feed-forward block in place of the original Transformer's ReLU. "
        "This task takes gate = xW and value = xV directly."
    ),
    input_model=ActivationInput,
    example={"name": "gelu", "x": [-2.0, -1.0, 0.0, 1.0, 2.0]},
    run=run_activation,
    quiz=[
        QuizItem(question="What is GELU(1) exactly?", answer="1·Φ(1) ≈ 0.8413447."),
        QuizItem(
            question="Write the SwiGLU feed-forward activation from Shazeer (2020).",
            answer="SwiGLU(x, W, V) = Swish_β(xW) ⊙ (xV), where Swish_β(z) = z·σ(βz); the FFN is then "
            "(Swish(xW) ⊙ xV) W2.",
        ),
        QuizItem(
            question="Which activation do GPT-2 and GPT-3 use?",
            answer="GELU (in its tanh approximation); GPT-3 introduced no new 'GeLU' variant.",
        ),
    ],
    references=[
        "Hendrycks & Gimpel 2016, Gaussian Error Linear Units (GELUs)",
        "Ramachandran, Zoph & Le 2017, Searching for Activation Functions",
        "Clevert, Unterthiner & Hochreiter 2015, ELU",
        "Shazeer 2020, GLU Variants Improve Transformer",
    ],
    errata=[
        Erratum(
            "1300",
            "wrong",
            "The notes expand the name as 'SwiGLU (Sigmoid-Weighted Linear Unit)'",
            "SwiGLU is the GLU variant whose gate goes through Swish; 'sigmoid-weighted linear unit' (SiLU) is "
            "the name of x·σ(x), i.e. Swish with beta = 1",
            "Shazeer 2020, GLU Variants Improve Transformer, §2",
        ),
        Erratum(
            "1314",
            "wrong",
            "The notes define SwiGLU as 'f(x) = (x * sigmoid(x)) + (x * tanh(x))'",
            "SwiGLU(x, W, V) = Swish_β(xW) ⊗ (xV): the product of a Swish-activated projection and a second "
            "linear projection, and the FFN is (Swish_1(xW) ⊗ xV)W2; it is not a sum of two activations of x",
            "Shazeer 2020, §2, eq. (5)-(6)",
        ),
        Erratum(
            "1302",
            "wrong",
            "The notes say SwiGLU 'combines the properties of both Swish and GELU ... to address the drawbacks of "
            "GELU'",
            "SwiGLU combines Swish with the gated linear unit (GLU) of Dauphin et al. 2017 (GELU gives the "
            "separate GEGLU variant), and the paper offers no such motivation: it attributes the gains 'to "
            "divine benevolence'",
            "Shazeer 2020, §2 and §4",
        ),
        Erratum(
            "1334",
            "wrong",
            "The notes say GELU 'has non-zero derivatives everywhere'",
            "GELU(x) = xΦ(x) has derivative Φ(x) + xφ(x), which is zero at x ≈ -0.7518, the function's "
            "minimum (GELU ≈ -0.170 there)",
            "Hendrycks & Gimpel 2016, Gaussian Error Linear Units, §2 (derivative computed from it)",
        ),
        Erratum(
            "1334",
            "wrong",
            "The notes say GELU 'uses the expected value of a rectified Gaussian distribution as its output'",
            "GELU is the expected value of a stochastic mask: x is multiplied by m ~ Bernoulli(Φ(x)), so "
            "E[m·x] = xΦ(x). The mean of a rectified Gaussian max(0, N(μ, σ²)) is μΦ(μ/σ) + σφ(μ/σ), a different "
            "function",
            "Hendrycks & Gimpel 2016, §2",
        ),
        Erratum(
            "1328 and 1336-1339",
            "wrong",
            "The notes describe a 'GeLU (Generalized Error Linear Unit) ... introduced in GPT-3' with "
            "GeLU(x, k) = (1-k)GELU(x) + k(x/k + 1), and line 1328 says GPT-3 uses it",
            "there is no such function: GPT-3 uses 'the same model and architecture as GPT-2', whose "
            "activation is the GELU of Hendrycks & Gimpel",
            "Brown et al. 2020, §2.1; Radford et al. 2018/2019",
        ),
        Erratum(
            "1341",
            "wrong",
            "The notes write '0.5 * x * (1 + tanh(sqrt(2/pi)) * (x + 0.044715 * x^3))'",
            "the tanh must wrap the whole argument: 0.5x(1 + tanh[√(2/π)(x + 0.044715x³)]); the formula is the "
            "tanh approximation of ordinary GELU, not of a separate 'GeLU'",
            "Hendrycks & Gimpel 2016, §2",
        ),
        Erratum(
            "1279/1317",
            "imprecise",
            "The notes present 'LLaMA 2 uses the SwiGLU activation function instead of ReLU' as a LLaMA 2 change",
            "LLaMA 1 already replaced the ReLU non-linearity by SwiGLU (following PaLM), and Llama 2 keeps that "
            "architecture; the ReLU it replaces is the original Transformer's",
            "Touvron et al. 2023a, LLaMA, §2.2; Touvron et al. 2023b, Llama 2, §2.2",
        ),
    ],
)

# --------------------------------------------------------------------------- softmax


class SoftmaxInput(ConceptInput):
    logits: list[Real] = Field(min_length=1, max_length=10000)
    temperature: float = Field(default=1.0, gt=0.0, le=1000.0, description="divide logits by T > 0")


def run_softmax(inp: SoftmaxInput) -> dict[str, object]:
    """softmax(z/T) computed after subtracting max(z), which leaves the result unchanged."""
    z = np.asarray(inp.logits, dtype=float) / inp.temperature
    shifted = z - z.max()
    probs = softmax(z)
    log_probs = shifted - math.log(float(np.exp(shifted).sum()))
    return {"probs": floats(probs), "shifted_logits": floats(shifted), "log_probs": floats(log_probs)}


SOFTMAX = Concept(
    name="softmax",
    title="Softmax with temperature",
    section="Output Layer",
    explanation=(
        "The output layer of a language model produces one real score (logit) per vocabulary token. "
        "Softmax turns the logits z into a probability distribution: p_i = exp(z_i / T) / Σ_j exp(z_j / T). "
        "Every p_i is positive and they sum to one. Because adding the same constant c to every logit "
        "multiplies numerator and denominator by exp(c/T), softmax is invariant to shifts; implementations "
        "exploit this by subtracting the largest logit before exponentiating, which prevents overflow "
        "without changing the answer. The temperature T > 0 rescales the logits: T < 1 sharpens the "
        "distribution towards the arg-max (T → 0 approaches greedy decoding), T > 1 flattens it towards "
        "uniform, and T = 1 is the model's own distribution. Softmax is not invariant to scaling, which is "
        "exactly why temperature has an effect. The same function turns attention scores into attention "
        "weights. Working with log-probabilities (z_i - max z - log Σ exp(z_j - max z)) keeps tiny "
        "probabilities representable."
    ),
    input_model=SoftmaxInput,
    example={"logits": [2.0, 1.0, 0.1], "temperature": 1.0},
    run=run_softmax,
    quiz=[
        QuizItem(
            question="Why can we subtract max(z) before exponentiating?",
            answer="Softmax is shift-invariant: exp(z_i - c)/Σ exp(z_j - c) = exp(z_i)/Σ exp(z_j); "
            "subtracting the max avoids overflow.",
        ),
        QuizItem(
            question="What happens to the distribution as the temperature goes to 0?",
            answer="It concentrates all mass on the highest logit (greedy / arg-max).",
        ),
    ],
    references=["Vaswani et al. 2017, Attention Is All You Need; Bridle 1990"],
)

# --------------------------------------------------------------------------- normalization


class NormalizationInput(ConceptInput):
    kind: Literal["layernorm", "rmsnorm"]
    x: list[Real] = Field(min_length=1, max_length=100000)
    eps: float = Field(default=1e-5, gt=0.0, le=1.0, description="added to the variance / mean square")


def run_normalization(inp: NormalizationInput) -> dict[str, object]:
    """LayerNorm: (x-μ)/sqrt(σ²+eps) with biased σ²; RMSNorm: x/sqrt(mean(x²)+eps), no centring."""
    x = np.asarray(inp.x, dtype=float)
    mean = float(x.mean())
    variance = float(((x - mean) ** 2).mean())
    mean_square = float((x**2).mean())
    if inp.kind == "layernorm":
        y = (x - mean) / math.sqrt(variance + inp.eps)
    else:
        y = x / math.sqrt(mean_square + inp.eps)
    return {
        "y": floats(y),
        "mean": mean,
        "variance": variance,
        "std": math.sqrt(variance),
        "rms": math.sqrt(mean_square),
    }


NORMALIZATION = Concept(
    name="normalization",
    title="LayerNorm and RMSNorm",
    section="RMS-Normalization / Layer Normalization",
    explanation=(
        "Normalisation layers rescale the activations of each token so that their scale stays stable "
        "through a deep stack. LayerNorm (Ba, Kiros & Hinton 2016) computes, over the H features of one "
        "token, the mean μ = (1/H)Σx_i and the variance σ² = (1/H)Σ(x_i - μ)², dividing by H, not H - 1, and "
        "outputs g ⊙ (x - μ)/sqrt(σ² + eps) + b with a learned gain g and bias b. RMSNorm (Zhang & Sennrich "
        "2019) drops the re-centring: it divides by the root mean square, "
        "RMS(x) = sqrt((1/H)Σx_i² + eps), and multiplies by a learned gain g; there is no bias and the mean "
        "is not subtracted. It is cheaper and worked as well in their experiments, and LLaMA applies it to "
        "the input of every sub-layer (pre-normalisation). This task omits the learned gain and bias "
        "(g = 1, b = 0). For x = (3, 4, 5): LayerNorm uses σ = sqrt(2/3) ≈ 0.816, giving about "
        "(-1.225, 0, 1.225); RMSNorm divides by sqrt(50/3) ≈ 4.082, giving about (0.735, 0.980, 1.225)."
    ),
    input_model=NormalizationInput,
    example={"kind": "layernorm", "x": [3, 4, 5]},
    run=run_normalization,
    quiz=[
        QuizItem(
            question="What is LayerNorm of (3, 4, 5) without gain and bias?",
            answer="μ = 4, σ = sqrt(2/3) ≈ 0.8165, so the output is ≈ (-1.2247, 0, 1.2247).",
        ),
        QuizItem(
            question="What does RMSNorm drop compared with LayerNorm?",
            answer="The mean subtraction (re-centring) and the bias; it only rescales by the root mean square "
            "and a learned gain.",
        ),
    ],
    references=[
        "Ba, Kiros & Hinton 2016, Layer Normalization",
        "Zhang & Sennrich 2019, Root Mean Square Layer Normalization",
    ],
    errata=[
        Erratum(
            "1271",
            "wrong",
            "The notes use 'mu = 4, sigma = 1' for x = (3, 4, 5)",
            "LayerNorm's σ is the population standard deviation over the H features, "
            "sqrt(((3-4)² + 0² + (5-4)²)/3) = sqrt(2/3) ≈ 0.816, so the outputs are ≈ (-1.225, 0, 1.225), not "
            "(-1, 0, 1); σ = 1 is the sample (n-1) standard deviation, which LayerNorm does not use",
            "Ba, Kiros & Hinton 2016, Layer Normalization, §3 eq. (3)",
        ),
        Erratum(
            "1242/1261",
            "imprecise",
            "The notes write 'RMSNorm(x_i) = x_i / sqrt((1/n) * sum(x_i^2))' and 'LayerNorm(x_i) = (x_i - mu) / sigma'",
            "both papers multiply by a learned gain g_i (LayerNorm also adds a bias b_i): ā_i = a_i/RMS(a)·g_i "
            "and g_i(a_i - μ)/σ + b_i. Implementations also add a small eps under the square root, which the "
            "papers' formulas leave out",
            "Zhang & Sennrich 2019, eq. (4); Ba, Kiros & Hinton 2016, §3",
        ),
        Erratum(
            "1237",
            "imprecise",
            "The notes call LayerNorm 'a regularization technique'",
            "layer normalization is presented as a normalisation method that stabilises the hidden-state "
            "dynamics and cuts training time, not as a regulariser; the notes' stated purpose (stable "
            "activations, better convergence) agrees",
            "Ba, Kiros & Hinton 2016, abstract and §1",
        ),
        Erratum(
            "1233/1237",
            "imprecise",
            "The notes say RMSNorm 'has been proved quite successful in LLaMA 2', under 'LLaMA Model Features'",
            "RMSNorm pre-normalisation was already part of LLaMA 1 ('Pre-normalization [GPT3] ... we use the "
            "RMSNorm normalizing function'), and Llama 2 keeps LLaMA 1's architecture",
            "Touvron et al. 2023a, LLaMA, §2.2; Touvron et al. 2023b, Llama 2, §2.2",
        ),
    ],
)

# --------------------------------------------------------------------------- add & norm


class AddNormInput(ConceptInput):
    x: list[Real] = Field(min_length=1, max_length=100000, description="sub-layer input")
    sublayer_output: list[Real] = Field(min_length=1, max_length=100000, description="Sublayer(x)")
    eps: float = Field(default=1e-5, gt=0.0, le=1.0)

    @model_validator(mode="after")
    def _same_length(self) -> AddNormInput:
        if len(self.x) != len(self.sublayer_output):
            raise ValueError(f"sublayer_output has length {len(self.sublayer_output)} but x has length {len(self.x)}")
        return self


def run_add_and_norm(inp: AddNormInput) -> dict[str, object]:
    """Post-LN residual block of Vaswani et al.: LayerNorm(x + Sublayer(x))."""
    residual = np.asarray(inp.x, dtype=float) + np.asarray(inp.sublayer_output, dtype=float)
    normed = run_normalization(NormalizationInput(kind="layernorm", x=floats(residual), eps=inp.eps))
    return {"residual": floats(residual), "y": normed["y"], "mean": normed["mean"], "variance": normed["variance"]}


ADD_AND_NORM = Concept(
    name="add_and_norm",
    title="Residual connection plus LayerNorm (Add & Norm)",
    section='The "Add & Norm"',
    explanation=(
        "In the original Transformer every sub-layer, both the multi-head attention and the position-wise "
        "feed-forward network, is wrapped as LayerNorm(x + Sublayer(x)). The 'Add' is a residual (skip) "
        "connection: the sub-layer only has to learn a correction to its input, and gradients can flow "
        "straight through the identity path, which makes deep stacks trainable. The 'Norm' is layer "
        "normalisation of the sum over the model dimension, keeping activations at a stable scale. An "
        "encoder layer therefore has two Add & Norm steps and a decoder layer three (masked self-attention, "
        "cross-attention and feed-forward). This arrangement is called post-LN. GPT-2, GPT-3 and LLaMA "
        "instead use pre-LN, x + Sublayer(Norm(x)), normalising the sub-layer input and leaving the "
        "residual path untouched, plus one final normalisation after the last block; pre-LN trains more "
        "stably without warm-up tricks. This task computes the post-LN form with no learned gain or "
        "bias, and returns the intermediate residual sum so both steps are visible."
    ),
    input_model=AddNormInput,
    example={"x": [1.0, 2.0, 3.0], "sublayer_output": [0.5, -0.5, 1.0]},
    run=run_add_and_norm,
    quiz=[
        QuizItem(
            question="Which sub-layers of a Transformer encoder layer are followed by Add & Norm?",
            answer="Both: the self-attention sub-layer and the feed-forward sub-layer, each as "
            "LayerNorm(x + Sublayer(x)).",
        ),
        QuizItem(
            question="What is the difference between post-LN and pre-LN?",
            answer="Post-LN normalises after the residual sum, LayerNorm(x + F(x)); pre-LN normalises the "
            "sub-layer input, x + F(LayerNorm(x)), as in GPT-2/3 and LLaMA.",
        ),
    ],
    references=[
        "Vaswani et al. 2017, §3.1",
        "He et al. 2016, Deep Residual Learning",
        "Xiong et al. 2020, On Layer Normalization in the Transformer Architecture",
    ],
    errata=[
        Erratum(
            "342",
            "imprecise",
            "The notes describe Add & Norm as 'adding the input to the output of the feedforward network and then "
            "normalizing'",
            "the residual connection and layer normalisation wrap every sub-layer, the attention sub-layers as "
            "well as the feed-forward network: LayerNorm(x + Sublayer(x))",
            "Vaswani et al. 2017, §3.1",
        ),
    ],
)

CONCEPTS = [NEURON, ACTIVATION, SOFTMAX, NORMALIZATION, ADD_AND_NORM]
