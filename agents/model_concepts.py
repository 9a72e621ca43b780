"""Concept-lab tasks that need a real model: they reach it through the gateway.

The pure concepts live in `tools/concepts` (no I/O); these two run the decoding ideas on
the model itself, so a learner sees greedy, beam, top-p and temperature on real
log-probabilities rather than on a toy table.
"""

from __future__ import annotations

import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from agents.llm.gateway import Gateway
from agents.llm.types import TokenLogprob
from tools.concepts import QuizItem
from tools.concepts.decoding import top_p_filter
from tools.course.errata import Erratum

Runner = Callable[[Any, Gateway], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class ModelConcept:
    """Like `tools.concepts.Concept`, but `run` is async and takes the gateway."""

    name: str
    title: str
    section: str
    explanation: str
    input_model: type[BaseModel]
    example: dict[str, Any]
    run: Runner
    quiz: list[QuizItem]
    references: list[str] = field(default_factory=list)
    errata: list[Erratum] = field(default_factory=list)

    @property
    def notes_errata(self) -> list[str]:
        """Each erratum as one line, as `tools.concepts.Concept` renders them."""
        return [e.text for e in self.errata]

    async def execute(self, raw: dict[str, Any], gateway: Gateway) -> dict[str, Any]:
        """Validate raw inputs (raises pydantic.ValidationError) and run on the model."""
        return await self.run(self.input_model.model_validate(raw), gateway)


class NextTokenInput(BaseModel):
    prompt: str = Field(min_length=1, max_length=4000, description="Text whose next token to predict.")
    top_k: int = Field(default=10, ge=1, le=100)


async def run_next_token(inp: NextTokenInput, gateway: Gateway) -> dict[str, Any]:
    tokens = await gateway.next_token(inp.prompt, top_k=inp.top_k)
    shown = sum(t.prob for t in tokens)
    return {
        "model": gateway.default_model,
        "backend": gateway.backend_name,
        "tokens": [t.model_dump() for t in tokens],
        "mass_in_top_k": shown,
        "entropy_of_top_k_bits": -sum(t.prob / shown * math.log2(t.prob / shown) for t in tokens if t.prob > 0),
    }


DecodeMethod = Literal["greedy", "beam", "top_p", "temperature"]
ALL_METHODS: tuple[DecodeMethod, ...] = ("greedy", "beam", "top_p", "temperature")


class DecodeCompareInput(BaseModel):
    prompt: str = Field(min_length=1, max_length=2000)
    max_new_tokens: int = Field(default=8, ge=1, le=32)
    beam_width: int = Field(default=3, ge=1, le=5)
    top_k: int = Field(default=20, ge=2, le=50, description="Candidates read from the model per step.")
    p: float = Field(default=0.9, gt=0.0, le=1.0, description="Nucleus mass for top-p.")
    temperature: float = Field(default=0.8, gt=0.0, le=5.0)
    seed: int = 0
    methods: list[DecodeMethod] = Field(default_factory=lambda: list(ALL_METHODS))

    @field_validator("methods")
    @classmethod
    def _some(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("choose at least one method")
        return value


def _pick(candidates: list[TokenLogprob], weights: list[float], rng: random.Random) -> TokenLogprob:
    return rng.choices(candidates, weights=weights, k=1)[0]


async def _greedy(inp: DecodeCompareInput, gateway: Gateway) -> dict[str, Any]:
    text, total = "", 0.0
    for _ in range(inp.max_new_tokens):
        best = (await gateway.next_token(inp.prompt + text, top_k=1))[0]
        text, total = text + best.token, total + best.logprob
    return {"text": text, "logprob": total}


async def _beam(inp: DecodeCompareInput, gateway: Gateway) -> dict[str, Any]:
    beams: list[tuple[str, float]] = [("", 0.0)]
    for _ in range(inp.max_new_tokens):
        expanded = []
        for text, score in beams:
            for cand in await gateway.next_token(inp.prompt + text, top_k=inp.beam_width):
                expanded.append((text + cand.token, score + cand.logprob))
        beams = sorted(expanded, key=lambda b: -b[1])[: inp.beam_width]
    return {"text": beams[0][0], "logprob": beams[0][1], "beams": [{"text": t, "logprob": s} for t, s in beams]}


async def _sampled(inp: DecodeCompareInput, gateway: Gateway, method: str) -> dict[str, Any]:
    rng = random.Random(inp.seed)
    text, total = "", 0.0
    for _ in range(inp.max_new_tokens):
        candidates = await gateway.next_token(inp.prompt + text, top_k=inp.top_k)
        if method == "top_p":
            kept = {tok for tok, _ in top_p_filter([(c.token, c.prob) for c in candidates], inp.p)}
            pool = [c for c in candidates if c.token in kept]
            weights = [c.prob for c in pool]
        else:
            pool = candidates
            weights = [math.exp(c.logprob / inp.temperature) for c in pool]
        chosen = _pick(pool, weights, rng)
        text, total = text + chosen.token, total + chosen.logprob
    return {"text": text, "logprob": total}


async def run_decode_compare(inp: DecodeCompareInput, gateway: Gateway) -> dict[str, Any]:
    """Each method's continuation with its log-probability under the model (unscaled)."""
    results: dict[str, Any] = {}
    for method in inp.methods:
        if method == "greedy":
            results[method] = await _greedy(inp, gateway)
        elif method == "beam":
            results[method] = await _beam(inp, gateway)
        else:
            results[method] = await _sampled(inp, gateway, method)
    return {"model": gateway.default_model, "backend": gateway.backend_name, "prompt": inp.prompt, "methods": results}


NEXT_TOKEN = ModelConcept(
    name="next_token",
    title="Next-token distribution of a real model",
    section="Step 2: Ask LM to predict the next word in a sentence",
    explanation=(
        "A language model is trained to predict the next token. Given a prompt, its final layer produces one "
        "score (logit) per vocabulary entry, and a softmax turns the logits into a probability distribution. "
        "This task runs the active model on your prompt and shows the k most likely next tokens with their "
        "natural-log probabilities and probabilities. The probabilities of the top k sum to at most 1: the "
        "rest of the mass is spread over the remaining vocabulary, which for Gemma 3 has 262,144 entries. "
        "Decoding strategies differ only in how they choose from this distribution: greedy takes the top "
        "token, top-k and top-p sample from a truncated set, and temperature reshapes the distribution before "
        "sampling. Note that tokens are sub-word pieces, often with a leading space, not whole words; the "
        "entropy of the shown distribution measures how uncertain the model is about what comes next."
    ),
    input_model=NextTokenInput,
    example={"prompt": "The capital of France is", "top_k": 10},
    run=run_next_token,
    quiz=[
        QuizItem(
            question="Why can the top-k probabilities sum to less than 1?",
            answer="Because the rest of the probability mass belongs to tokens outside the top k.",
        ),
        QuizItem(question="What turns the model's logits into probabilities?", answer="The softmax function."),
    ],
    references=["Radford et al. 2019, Language Models are Unsupervised Multitask Learners"],
)

DECODE_COMPARE = ModelConcept(
    name="decode_compare",
    title="Greedy vs beam vs top-p vs temperature on a real model",
    section="Beam Search / Top P / GPT Parameters",
    explanation=(
        "The same model and prompt give different continuations depending on the decoding rule. Greedy decoding appends"
        " the single most likely token at each step; it is deterministic but can repeat itself. Beam search keeps the b"
        " highest-scoring partial sequences by summed log-probability and returns the best, which often, but not "
        "always, finds a higher-probability sequence than greedy. Top-p (nucleus) sampling draws from the smallest set "
        "of tokens whose cumulative probability reaches p (Holtzman et al. 2019), cutting off the unreliable tail while"
        " adapting the set size to the model's confidence. Temperature divides the logits by T before the softmax: T "
        "below 1 sharpens the distribution, T above 1 flattens it. The log-probability reported for every method is the"
        " model's own (unscaled) score of the text it chose, so the methods can be compared on one scale. Beam is not "
        "guaranteed to beat greedy: it can prune the greedy prefix early and end lower (the beam_search concept has a "
        "tree where it does)."
    ),
    input_model=DecodeCompareInput,
    example={"prompt": "The capital of France is", "max_new_tokens": 6, "beam_width": 3, "seed": 1},
    run=run_decode_compare,
    quiz=[
        QuizItem(
            question="Does beam search always find a more likely sequence than greedy decoding?",
            answer="No. It usually does, because it keeps several hypotheses, but it can prune the greedy prefix "
            "and end with a lower log-probability than greedy; only exhaustive search is guaranteed to find the "
            "most likely sequence.",
        ),
        QuizItem(
            question="What does a temperature above 1 do to the next-token distribution?",
            answer="It flattens it, making less likely tokens more probable.",
        ),
    ],
    references=["Holtzman et al. 2019, The Curious Case of Neural Text Degeneration"],
)

MODEL_CONCEPTS: dict[str, ModelConcept] = {c.name: c for c in (NEXT_TOKEN, DECODE_COMPARE)}
