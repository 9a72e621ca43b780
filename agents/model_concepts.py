"""Concept-lab tasks that need a real model: they reach it through the gateway.

The pure concepts live in `tools/concepts` (no I/O); these run the ideas on the model itself:
greedy, beam, top-p and temperature on real log-probabilities, the notes' prompt tricks side by
side, embeddings and the KV cache from llama.cpp (via `agents.lab_llama`).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, Field, field_validator

from agents.lab_llama import LAB_N_CTX, embedded_gguf, with_lab_llama
from agents.llm.errors import InvalidRequest
from agents.llm.gateway import Gateway
from agents.llm.types import ChatMessage, GenerationOptions, TokenLogprob
from tools.concepts import QuizItem
from tools.concepts.decoding import top_p_filter
from tools.concepts.inference import similarity_report
from tools.concepts.prompting import TECHNIQUES, Technique, prompt_pair
from tools.course.errata import Erratum

if TYPE_CHECKING:
    from llama_cpp import Llama

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

# --------------------------------------------------------------------------- prompt techniques on the model


class PromptTechniquesInput(BaseModel):
    techniques: list[Technique] = Field(default_factory=lambda: list(TECHNIQUES), min_length=1, max_length=7)
    max_tokens: int = Field(default=48, ge=1, le=256)
    seed: int = 0


async def _reply(gateway: Gateway, messages: list[ChatMessage], options: GenerationOptions) -> tuple[str, int]:
    result = await gateway.chat(messages, options=options)
    return result.text, result.usage.total_tokens


async def run_prompt_techniques(inp: PromptTechniquesInput, gateway: Gateway) -> dict[str, Any]:
    """Each of the notes' tricks asked twice on the active model, without and with the technique."""
    options = GenerationOptions(temperature=0.0, max_tokens=inp.max_tokens, seed=inp.seed)
    rows: list[dict[str, Any]] = []
    helped = 0
    for technique in dict.fromkeys(inp.techniques):
        pair = prompt_pair(technique)
        plain, plain_tokens = await _reply(gateway, [ChatMessage(role="user", content=pair.without)], options)
        messages = [ChatMessage(role="system", content=pair.system)] if pair.system else []
        messages.append(ChatMessage(role="user", content=pair.with_technique))
        shaped, shaped_tokens = await _reply(gateway, messages, options)
        if pair.follow_up:
            messages += [
                ChatMessage(role="assistant", content=shaped),
                ChatMessage(role="user", content=pair.follow_up),
            ]
            refined, more = await _reply(gateway, messages, options)
            shaped, shaped_tokens = f"{shaped}\n[after review] {refined}", shaped_tokens + more
        rows.append(
            {
                "technique": technique,
                "trick": pair.trick,
                "without": {"prompt": pair.without, "reply": plain, "tokens": plain_tokens},
                "with": {
                    "system": pair.system,
                    "prompt": pair.with_technique,
                    "follow_up": pair.follow_up,
                    "reply": shaped,
                    "tokens": shaped_tokens,
                },
                "look_for": pair.look_for,
                "effect": {"without": pair.check(plain), "with": pair.check(shaped)},
            }
        )
        helped += pair.check(shaped) and not pair.check(plain)
    return {"model": gateway.default_model, "backend": gateway.backend_name, "rows": rows, "technique_helped": helped}


PROMPT_TECHNIQUES = ModelConcept(
    name="prompt_techniques",
    title="The notes' seven prompt tricks on the active model, with and without",
    section="7 Tricks for Prompt Engineering",
    explanation=(
        "The notes list seven prompt-engineering tricks: be descriptive, give examples, use structured text, chain "
        "of thought, chatbot personas, the flipped approach, and reflect, review and refine. This task asks the "
        "active model the same task twice for each trick, once plainly and once with the technique, at temperature "
        "0 so the only difference is the prompt, and shows both replies side by side. Each trick has a simple "
        "check of its intended effect: the descriptive prompt's facts appear, the few-shot reply is one of the "
        "labels, the structured reply has the requested sections, the chain-of-thought reply reaches the right "
        "number, the persona reply uses an analogy, the flipped reply asks a question, and the reviewed reply "
        "contains the correct product. The checks are deliberately shallow; read the replies. Expect small base "
        "models, such as the embedded Gemma 3 270M, to respond mostly to patterns they can continue (few-shot "
        "examples, a Q/A format) and little to instructions or personas, which need instruction tuning; large "
        "instruction-tuned models respond to all seven. The prompts come from the prompt_patterns concept."
    ),
    input_model=PromptTechniquesInput,
    example={"techniques": ["examples", "chain_of_thought"], "max_tokens": 48},
    run=run_prompt_techniques,
    quiz=[
        QuizItem(
            question="Why compare each trick at temperature 0 on the same model?",
            answer="So the prompt is the only thing that changes; any difference in the reply comes from the "
            "technique, not from sampling.",
        ),
        QuizItem(
            question="Which tricks does a small base model follow best?",
            answer="Patterns it can continue, such as few-shot examples and a Q/A format; instructions and "
            "personas need an instruction-tuned model.",
        ),
    ],
    references=["Brown et al. 2020 (few-shot prompting)", "Kojima et al. 2022", "White et al. 2023"],
)

# --------------------------------------------------------------------------- token embeddings (llama.cpp)


class TokenEmbeddingsInput(BaseModel):
    texts: list[str] = Field(min_length=2, max_length=20, description="words or short texts to embed")

    @field_validator("texts")
    @classmethod
    def _short(cls, value: list[str]) -> list[str]:
        if any(not t.strip() or len(t) > 200 for t in value):
            raise ValueError("each text must be non-empty and at most 200 characters")
        if len(set(value)) != len(value):
            raise ValueError("texts must be distinct")
        return value


def _pooled(rows: Any) -> np.ndarray:
    """Mean of the per-token hidden states after the BOS position (the model pools nothing itself)."""
    matrix_ = np.asarray(rows, dtype=float)
    if matrix_.ndim == 1:
        return matrix_
    return np.asarray(matrix_[1:].mean(axis=0) if len(matrix_) > 1 else matrix_[0])


async def run_token_embeddings(inp: TokenEmbeddingsInput, gateway: Gateway) -> dict[str, Any]:
    """Embed each text with llama.cpp (embedding=True), mean-pool its tokens, compare by cosine."""
    path = embedded_gguf(gateway, "token_embeddings")

    def embed(llm: Llama) -> tuple[list[Any], list[int]]:
        counts = [len(llm.tokenize(t.encode("utf-8"), add_bos=False)) for t in inp.texts]
        return list(llm.embed(inp.texts, normalize=False)), counts

    raw, counts = await with_lab_llama(path, "embedding", embed)
    vectors = np.vstack([_pooled(rows) for rows in raw])
    report = similarity_report(list(inp.texts), vectors)
    return {
        "model": path.stem,
        "dimension": int(vectors.shape[1]),
        "tokens_per_text": dict(zip(inp.texts, counts, strict=True)),
        "pooling": "mean over the text's tokens (hidden states of the last layer)",
        **report,
    }


TOKEN_EMBEDDINGS = ModelConcept(
    name="token_embeddings",
    title="Embeddings from the embedded model (llama.cpp) and their similarity",
    section="Token Embedding",
    explanation=(
        "This task asks the embedded model itself for vectors. llama.cpp runs the GGUF with embedding output "
        "enabled and returns, for each text, the final hidden state of every token; Gemma 3 270M's are 640 "
        "numbers wide. A decoder model defines no pooled sentence vector, so the task averages the token vectors "
        "(after the start-of-text token) to get one vector per text, then compares every pair by cosine "
        "similarity, u·v / (|u||v|), and names each text's nearest neighbour. These are contextual states, not "
        "the rows of the input embedding matrix: the same word gets a different vector in a different context. "
        "Related words often come out closer than unrelated ones, but a 270M base model with plain mean pooling "
        "is a weak embedder; models trained for retrieval (e.g. Sentence-BERT) fine-tune with a contrastive "
        "objective so that cosine similarity tracks meaning. The embedding context is a separate llama.cpp "
        "instance over the same weights, created on first use, so chat requests never wait for it; it needs the "
        "embedded backend. The arithmetic is the embedding_similarity concept's."
    ),
    input_model=TokenEmbeddingsInput,
    example={"texts": ["king", "queen", "banana", "apple"]},
    run=run_token_embeddings,
    quiz=[
        QuizItem(
            question="How does this task turn per-token vectors into one vector per text?",
            answer="It averages (mean-pools) the token vectors after the start-of-text token.",
        ),
        QuizItem(
            question="Are these the model's input token embeddings?",
            answer="No. They are the last layer's contextual hidden states; input embeddings are fixed rows of "
            "the embedding matrix.",
        ),
    ],
    references=["llama.cpp embeddings (llama-cpp-python Llama.embed)", "Reimers & Gurevych 2019, Sentence-BERT"],
)

# --------------------------------------------------------------------------- KV cache timing (llama.cpp)


class KVTimingInput(BaseModel):
    prompt: str = Field(min_length=1, max_length=1500)
    new_tokens: int = Field(default=16, ge=1, le=64)


def _last_logits(llm: Llama) -> int:
    logits = np.ctypeslib.as_array(llm._ctx.get_logits_ith(-1), shape=(llm.n_vocab(),))
    return int(np.argmax(logits))


def _generate(llm: Llama, prompt: list[int], n: int, cached: bool) -> tuple[list[int], list[dict[str, float]]]:
    """Greedy tokens and per-step (positions evaluated, milliseconds), keeping or rebuilding the cache."""
    tokens: list[int] = []
    steps: list[dict[str, float]] = []
    for i in range(n):
        if cached and i:
            batch = tokens[-1:]
        else:
            llm.reset()
            batch = prompt + tokens
        started = time.perf_counter()
        llm.eval(batch)
        steps.append({"positions": len(batch), "ms": (time.perf_counter() - started) * 1000})
        tokens.append(_last_logits(llm))
    return tokens, steps


async def run_kv_cache_timing(inp: KVTimingInput, gateway: Gateway) -> dict[str, Any]:
    """Generate greedily twice on the embedded model: with the KV cache and re-evaluating everything each step."""
    path = embedded_gguf(gateway, "kv_cache_timing")

    def measure(llm: Llama) -> dict[str, Any]:
        prompt = llm.tokenize(inp.prompt.encode("utf-8"), add_bos=True)
        if len(prompt) + inp.new_tokens > LAB_N_CTX:
            raise InvalidRequest(
                f"prompt ({len(prompt)} tokens) + new_tokens ({inp.new_tokens}) exceed the lab context of "
                f"{LAB_N_CTX} tokens",
                backend="embedded",
            )
        _generate(llm, prompt, 1, cached=False)  # warm-up: the first evaluation also allocates buffers
        out: dict[str, Any] = {"prompt_tokens": len(prompt)}
        texts = {}
        for mode, cached in (("with_cache", True), ("without_cache", False)):
            tokens, steps = _generate(llm, prompt, inp.new_tokens, cached)
            later = [s["ms"] for s in steps[1:]] or [steps[0]["ms"]]
            out[mode] = {
                "steps": steps,
                "positions_total": sum(int(s["positions"]) for s in steps),
                "ms_total": sum(s["ms"] for s in steps),
                "ms_per_token_after_first": sum(later) / len(later),
            }
            texts[mode] = tokens
            out[mode]["text"] = llm.detokenize(tokens).decode("utf-8", errors="replace")
        out["same_tokens"] = texts["with_cache"] == texts["without_cache"]
        return out

    result = await with_lab_llama(path, "generation", measure)
    return {"model": path.stem, **result}


KV_CACHE_TIMING = ModelConcept(
    name="kv_cache_timing",
    title="The KV cache measured: time per token with and without it",
    section="Context window (from 2048 to 4096 tokens)",
    explanation=(
        "This task generates the same greedy continuation twice on the embedded model and times every step. "
        "With the KV cache, the prompt is evaluated once and each later step feeds llama.cpp only the newest "
        "token, whose query attends over the stored keys and values. Without it, the cache is cleared before "
        "every step and the whole prompt plus everything generated so far is evaluated again, so step i "
        "processes P + i positions instead of one. The report lists, per step, how many positions were "
        "evaluated and how long it took, the totals, and the average time per token after the first step; "
        "on a CPU the cached steps take a small fraction of the uncached ones, and the gap grows with the "
        "prompt. Both runs should pick the same tokens, since greedy decoding is deterministic; same_tokens "
        "reports it (batched and incremental evaluation can differ in the last floating-point bits). The demo "
        "uses its own llama.cpp instance over the same weights with a 512-token context, created on first "
        "use, so chat requests are never blocked; it needs the embedded backend. The kv_cache concept does "
        "the counting on paper."
    ),
    input_model=KVTimingInput,
    example={"prompt": "The history of the printing press began when", "new_tokens": 12},
    run=run_kv_cache_timing,
    quiz=[
        QuizItem(
            question="How many positions does step i evaluate with and without a KV cache?",
            answer="With the cache one (the newest token), after the prompt once; without it P + i.",
        ),
        QuizItem(
            question="Why should both runs produce the same tokens?",
            answer="Greedy decoding is deterministic and the cache changes only how the same attention is "
            "computed, not what it computes.",
        ),
    ],
    references=["Pope et al. 2022, Efficiently Scaling Transformer Inference", "llama.cpp (llama_decode, KV cache)"],
)

MODEL_CONCEPTS: dict[str, ModelConcept] = {
    c.name: c for c in (NEXT_TOKEN, DECODE_COMPARE, PROMPT_TECHNIQUES, TOKEN_EMBEDDINGS, KV_CACHE_TIMING)
}
