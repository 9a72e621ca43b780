"""Evaluation metrics: unbiased pass@k (Codex) and cross-entropy / perplexity."""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field, model_validator

from tools.concepts._util import ConceptInput, Prob
from tools.concepts.base import Concept, QuizItem

# --------------------------------------------------------------------------- pass@k


class PassAtKInput(ConceptInput):
    n: int = Field(ge=1, le=1_000_000, description="samples generated per problem")
    c: int = Field(ge=0, le=1_000_000, description="samples that pass the unit tests")
    k: int = Field(ge=1, le=1_000_000)

    @model_validator(mode="after")
    def _ranges(self) -> PassAtKInput:
        if self.c > self.n:
            raise ValueError(f"c={self.c} must be <= n={self.n}")
        if self.k > self.n:
            raise ValueError(f"k={self.k} must be <= n={self.n}")
        return self


def pass_at_k(n: int, c: int, k: int) -> float:
    """1 − C(n−c, k)/C(n, k) as the running product 1 − Π_{i=n−c+1}^{n} (1 − k/i) (Chen et al. 2021)."""
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def run_pass_at_k(inp: PassAtKInput) -> dict[str, object]:
    """Unbiased estimate, plus the biased plug-in 1 − (1 − c/n)^k for contrast."""
    return {
        "pass_at_k": pass_at_k(inp.n, inp.c, inp.k),
        "naive_estimate": 1.0 - (1.0 - inp.c / inp.n) ** inp.k,
    }


PASS_AT_K = Concept(
    name="pass_at_k",
    title="pass@k, the unbiased estimator from the Codex paper",
    section="HumanEval",
    explanation=(
        "HumanEval (Chen et al. 2021) has 164 hand-written Python problems, each checked by unit tests "
        "(7.7 on average). pass@k is the probability that at least one of k sampled programs passes. "
        "Sampling exactly k programs per problem gives a high-variance estimate, so the Codex paper draws n ≥ "
        "k samples, counts the c correct ones, and computes, per problem, the unbiased estimator "
        "pass@k = 1 − C(n − c, k) / C(n, k): one minus the probability that a random size-k subset of the n "
        "samples contains no correct one. Averaging over problems gives the benchmark score. The binomial "
        "coefficients overflow for realistic n, so the paper evaluates the ratio as a running product, "
        "1 − Π_{i = n−c+1..n} (1 − k/i), returning 1 when n − c < k. The plug-in estimate 1 − (1 − c/n)^k, "
        "which treats c/n as the true pass rate, is biased low. Functional correctness is measured because "
        "match-based metrics such as BLEU correlate poorly with whether code actually works."
    ),
    input_model=PassAtKInput,
    example={"n": 200, "c": 13, "k": 10},
    run=run_pass_at_k,
    quiz=[
        QuizItem(question="What is pass@1 for n = 10, c = 3?", answer="c/n = 0.3."),
        QuizItem(
            question="What is pass@2 for n = 4, c = 1?",
            answer="1 − C(3,2)/C(4,2) = 1 − 3/6 = 0.5.",
        ),
        QuizItem(
            question="Why not compute 1 − (1 − c/n)^k?",
            answer="It is a biased estimator of pass@k (it underestimates); the unbiased one is 1 − C(n−c,k)/C(n,k).",
        ),
    ],
    references=["Chen et al. 2021, Evaluating Large Language Models Trained on Code, §2.1 and Figure 3"],
)

# --------------------------------------------------------------------------- cross-entropy / perplexity


class CrossEntropyInput(ConceptInput):
    token_probs: list[Prob] = Field(
        min_length=1, max_length=1_000_000, description="model probability of each actual next token"
    )

    @model_validator(mode="after")
    def _positive(self) -> CrossEntropyInput:
        if any(p <= 0 for p in self.token_probs):
            raise ValueError("token_probs must be > 0 (a zero gives infinite cross-entropy)")
        return self


def run_cross_entropy(inp: CrossEntropyInput) -> dict[str, object]:
    """Mean negative log-likelihood in nats and bits, and perplexity exp(mean NLL)."""
    nll = [-math.log(p) for p in inp.token_probs]
    ce = math.fsum(nll) / len(nll)
    return {
        "per_token_nll": nll,
        "cross_entropy_nats": ce,
        "cross_entropy_bits": ce / math.log(2),
        "perplexity": math.exp(ce),
    }


CROSS_ENTROPY = Concept(
    name="cross_entropy_perplexity",
    title="Cross-entropy loss and perplexity",
    section="Recipe for creating own Language Model",
    explanation=(
        "A language model is trained by predicting the next word: for each position it outputs a "
        "distribution over the vocabulary, and the loss is the negative log-probability it assigned to the "
        "token that actually came next. Averaged over N tokens this is the cross-entropy "
        "H = −(1/N) Σ log p(w_t | w_<t), measured in nats with the natural log or in bits with log base 2. "
        "Minimising it is maximum-likelihood training, and no labels are needed beyond the text itself, "
        "which is why pre-training is called self-supervised. Perplexity is exp(H): the geometric mean of "
        "1/p over the tokens. It reads as an effective branching factor: a model that spreads probability "
        "uniformly over 4 choices at every step has perplexity exactly 4, and a perfect model has "
        "perplexity 1. Lower is better, but perplexities are only comparable with the same tokenisation and "
        "test set. A single zero probability makes the cross-entropy infinite, which is why n-gram models "
        "need smoothing."
    ),
    input_model=CrossEntropyInput,
    example={"token_probs": [0.5, 0.25, 0.125, 0.5]},
    run=run_cross_entropy,
    quiz=[
        QuizItem(
            question="A model assigns probability 1/4 to every actual next token. What is its perplexity?",
            answer="4 (cross-entropy ln 4 nats = 2 bits).",
        ),
        QuizItem(
            question="How are cross-entropy and perplexity related?",
            answer="Perplexity = exp(cross-entropy in nats) = 2^(cross-entropy in bits).",
        ),
    ],
    references=["Jurafsky & Martin, Speech and Language Processing, ch. 3", "Bengio et al. 2003"],
)

CONCEPTS = [PASS_AT_K, CROSS_ENTROPY]
