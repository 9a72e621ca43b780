"""Decoding: beam search over a toy next-word tree, truncation/temperature sampling, repetition penalties."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from tools.concepts._util import ConceptInput, Prob, Real, sort_key_prob
from tools.concepts.base import Concept, QuizItem
from tools.course.errata import Erratum

# --------------------------------------------------------------------------- beam search


class BeamSearchInput(ConceptInput):
    start: str = Field(min_length=1, max_length=1000)
    tree: dict[str, dict[str, Prob]] = Field(
        max_length=10000, description="context text -> {next word: P(word | context)}"
    )
    beam_width: int = Field(ge=1, le=100)
    steps: int = Field(ge=1, le=50)

    @model_validator(mode="after")
    def _distributions(self) -> BeamSearchInput:
        for ctx, dist in self.tree.items():
            total = math.fsum(dist.values())
            if total > 1 + 1e-6:
                raise ValueError(f"tree[{ctx!r}] probabilities sum to {total:.6g} > 1")
            if any(not w or any(c.isspace() for c in w) for w in dist):
                raise ValueError(f"tree[{ctx!r}] words must be non-empty and contain no whitespace")
        return self


def run_beam_search(inp: BeamSearchInput) -> dict[str, object]:
    """Keep the beam_width most probable sequences each step; a text with no tree entry is finished."""
    beams: list[tuple[str, float, bool]] = [(inp.start, 1.0, inp.start not in inp.tree)]
    history: list[list[dict[str, object]]] = []
    considered: list[list[dict[str, object]]] = []
    for _ in range(inp.steps):
        candidates: list[tuple[str, float, bool]] = []
        for text, prob, finished in beams:
            dist = inp.tree.get(text)
            if finished or not dist:
                candidates.append((text, prob, True))
                continue
            for word, p in dist.items():
                new = f"{text} {word}"
                candidates.append((new, prob * p, new not in inp.tree or not inp.tree[new]))
        candidates.sort(key=lambda c: sort_key_prob(c[0], c[1]))
        considered.append([{"text": t, "prob": p} for t, p, _ in candidates])
        beams = candidates[: inp.beam_width]
        history.append([{"text": t, "prob": p, "finished": f} for t, p, f in beams])
        if all(f for _, _, f in beams):
            break
    return {
        "beams": [{"text": t, "prob": p, "finished": f} for t, p, f in beams],
        "history": history,
        "considered": considered,
    }


_NOTES_TREE = {
    "The cat": {"is": 0.6, "sat": 0.3, "runs": 0.1},
    "The cat is": {"sleeping": 0.7, "eating": 0.2, "running": 0.1},
    "The cat sat": {"on": 0.5, "next": 0.4, "down": 0.1},
    "The cat runs": {"fast": 0.6, "slowly": 0.3, "away": 0.1},
}

#: A tree on which greedy decoding (width 1) finds a more probable 3-word sequence than beam width 2:
#: at step 2 "S B b" and "S B d" (0.175 each) push out the greedy prefix "S A x" (0.16), and their
#: continuations then fall to 0.0875, below greedy's 0.16 (width 3 keeps "S C c" and ends at 0.25).
GREEDY_BEATS_BEAM = {
    "S": {"A": 0.4, "B": 0.35, "C": 0.25},
    "S A": {"x": 0.4, "w": 0.3, "v": 0.3},
    "S B": {"b": 0.5, "d": 0.5},
    "S C": {"c": 1.0},
    "S A x": {"end": 1.0},
    "S B b": {"p": 0.5, "q": 0.5},
    "S B d": {"r": 0.5, "s": 0.5},
    "S C c": {"t": 1.0},
}

BEAM_SEARCH = Concept(
    name="beam_search",
    title="Beam search",
    section="Beam Search",
    explanation=(
        "Greedy decoding takes the single most probable next token at each step, which can miss a sequence "
        "whose first token is less likely but whose continuation is much more likely. Beam search keeps "
        "the B best partial sequences (the beam). At every step it expands each beam with its possible next "
        "tokens, scores each candidate by the product of its token probabilities (in practice the sum of "
        "log-probabilities), pools the candidates from all beams, and keeps the B highest overall; a beam "
        "is not guaranteed a survivor. Finished sequences (here, texts without an entry in the tree, or "
        "that produced an end token) are carried forward unchanged. With B = 1 it is greedy decoding; "
        "larger B searches more but is still not exhaustive: it can prune the greedy path and end lower than "
        "greedy (beam width is not monotone). Because products shrink with length, systems often add a "
        "length penalty. In the notes' example with B = 3 the second step "
        "must compare all nine candidates: 'The cat is sleeping' 0.42, 'The cat sat on' 0.15, then 0.12 tied "
        "between 'The cat is eating' and 'The cat sat next'. Ties here go to alphabetical order."
    ),
    input_model=BeamSearchInput,
    example={"start": "The cat", "tree": _NOTES_TREE, "beam_width": 3, "steps": 2},
    run=run_beam_search,
    quiz=[
        QuizItem(
            question="In the notes' example (beam width 3), which three sequences survive step 2?",
            answer="'The cat is sleeping' (0.42), 'The cat sat on' (0.15) and one of the 0.12 ties "
            "('The cat is eating' or 'The cat sat next'); 'The cat is running' (0.06) does not survive.",
        ),
        QuizItem(
            question="What is beam search with beam width 1?",
            answer="Greedy decoding.",
        ),
        QuizItem(
            question="Does beam search always find a sequence at least as probable as greedy decoding's?",
            answer="No. A beam can prune the greedy prefix when other prefixes score higher, and their "
            "continuations can then fall below the greedy sequence: with S → A 0.4, B 0.35, C 0.25, A → x 0.4, "
            "B → b 0.5 or d 0.5, x → end 1.0 and b, d → two words at 0.5 each, greedy ends at 0.16 but width 2 "
            "keeps b and d (0.175 each) and ends at 0.0875.",
        ),
    ],
    references=["Graves 2012; Sutskever, Vinyals & Le 2014; Wu et al. 2016 (GNMT length penalty)"],
    errata=[
        Erratum(
            "642-648",
            "wrong",
            "After step 2 the notes keep 'The cat is sleeping' (0.42), 'The cat is eating' (0.12) and 'The cat is "
            "running' (0.06)",
            "beam search ranks all nine candidates together: The cat sat on = 0.3 × 0.5 = 0.15 beats both, The "
            "cat sat next = 0.3 × 0.4 = 0.12 ties eating, and The cat runs fast = 0.1 × 0.6 = 0.06 ties running. "
            "The beam is sleeping 0.42, sat on 0.15, then one 0.12 (this task keeps eating by alphabetical "
            "tie-break), as the notes' own rule on line 600 requires",
            "Beam search as defined in Graves 2012 and Sutskever, Vinyals & Le 2014 (products recomputed)",
        ),
    ],
)

# --------------------------------------------------------------------------- sampling


class SamplingInput(ConceptInput):
    probs: dict[str, Prob] = Field(min_length=1, max_length=100000)
    method: Literal["greedy", "top_k", "top_p", "temperature"]
    k: int | None = Field(default=None, ge=1, le=100000)
    p: float | None = Field(default=None, gt=0.0, le=1.0, description="nucleus mass, in (0, 1]")
    temperature: float | None = Field(default=None, gt=0.0, le=1000.0)
    normalize: bool = Field(default=False, description="renormalise probs that do not sum to 1")
    seed: int = Field(default=0, ge=0, description="seeds the one sample drawn from the candidates")

    @model_validator(mode="after")
    def _check(self) -> SamplingInput:
        total = math.fsum(self.probs.values())
        if total <= 0:
            raise ValueError("probs must have positive total mass")
        if not self.normalize and abs(total - 1.0) > 1e-6:
            raise ValueError(f"probs sum to {total:.6g}, not 1; fix them or pass normalize=true")
        needed = {"top_k": "k", "top_p": "p", "temperature": "temperature"}.get(self.method)
        if needed and getattr(self, needed) is None:
            raise ValueError(f"method {self.method!r} requires {needed}")
        return self


def top_p_filter(ranked: list[tuple[str, float]], p: float) -> list[tuple[str, float]]:
    """Holtzman et al.: the smallest prefix of the ranked tokens whose cumulative mass is >= p."""
    kept: list[tuple[str, float]] = []
    cum = 0.0
    for tok, q in ranked:
        kept.append((tok, q))
        cum += q
        if cum >= p - 1e-12:
            break
    return kept


def run_sampling(inp: SamplingInput) -> dict[str, object]:
    """Truncate or reshape the distribution, renormalise, and draw one seeded sample from it."""
    total = math.fsum(inp.probs.values())
    probs = {t: q / total for t, q in inp.probs.items()}
    ranked = sorted(probs.items(), key=lambda kv: sort_key_prob(kv[0], kv[1]))
    extra: dict[str, object] = {}
    if inp.method == "greedy":
        kept = ranked[:1]
    elif inp.method == "top_k":
        assert inp.k is not None
        kept = ranked[: inp.k]
    elif inp.method == "top_p":
        assert inp.p is not None
        kept = top_p_filter(ranked, inp.p)
        cumulative = np.cumsum([q for _, q in ranked]).tolist()
        extra["cumulative"] = {t: float(c) for (t, _), c in zip(ranked, cumulative, strict=True)}
    else:
        assert inp.temperature is not None
        logs = np.array([math.log(q) if q > 0 else -np.inf for _, q in ranked]) / inp.temperature
        weights = np.exp(logs - logs.max())
        kept = [(t, float(w)) for (t, _), w in zip(ranked, weights, strict=True)]
    mass = math.fsum(q for _, q in kept)
    candidates = {t: float(q / mass) for t, q in kept}
    rng = np.random.default_rng(inp.seed)
    names = list(candidates)
    sample = names[int(rng.choice(len(names), p=np.array(list(candidates.values()))))]
    kept_mass = math.fsum(probs[t] for t, _ in kept)
    return {"candidates": candidates, "kept_mass": kept_mass, "sample": sample, **extra}


SAMPLING = Concept(
    name="sampling",
    title="Greedy, top-k, top-p (nucleus) and temperature sampling",
    section="Top P",
    explanation=(
        "At each step the model gives a distribution over the next token conditioned on the context. "
        "Greedy decoding takes the arg-max. Sampling draws from the distribution, but the long tail of "
        "unlikely tokens can derail text, so it is usually truncated or reshaped. Top-k keeps the k most "
        "probable tokens. Top-p or nucleus sampling (Holtzman et al. 2019) keeps the smallest set of most "
        "probable tokens whose cumulative probability is at least p, so the candidate set grows when the "
        "model is uncertain and shrinks when it is confident. Temperature T rescales log-probabilities, "
        "q_i ∝ p_i^(1/T): T < 1 sharpens, T > 1 flattens. After truncation the kept probabilities are "
        "renormalised to sum to one. With apple 0.4, banana 0.3, cherry 0.2, date 0.1 and p = 0.8, apple "
        "and banana only reach 0.7, so cherry is needed and the nucleus is {apple 4/9, banana 3/9, cherry "
        "2/9}; with p = 0.7 the nucleus is just apple and banana. Inputs must sum to one unless "
        "normalize is set; ties are ordered alphabetically."
    ),
    input_model=SamplingInput,
    example={"probs": {"apple": 0.4, "banana": 0.3, "cherry": 0.2, "date": 0.1}, "method": "top_p", "p": 0.8},
    run=run_sampling,
    quiz=[
        QuizItem(
            question="With probabilities 0.4, 0.3, 0.2, 0.1 and top_p = 0.7, which tokens are kept?",
            answer="The top two (0.4 + 0.3 = 0.7 reaches p), renormalised to 4/7 and 3/7.",
        ),
        QuizItem(
            question="How does top-p differ from top-k?",
            answer="Top-k keeps a fixed number of tokens; top-p keeps a variable number chosen by cumulative "
            "probability mass, adapting to the shape of the distribution.",
        ),
    ],
    references=[
        "Holtzman et al. 2019, The Curious Case of Neural Text Degeneration",
        "Fan, Lewis & Dauphin 2018 (top-k)",
    ],
    errata=[
        Erratum(
            "1184-1190",
            "imprecise",
            "The notes build the nucleus by adding words 'until it exceeds' the threshold",
            "the nucleus is the smallest set whose cumulative probability is >= p. The two rules differ only when "
            "a prefix sums to exactly p: with p = 0.7, apple 0.4 + banana 0.3 = 0.7 is the nucleus, while "
            "exceeds would also add cherry. The notes' own example (p = 0.8, nucleus apple, banana, cherry) comes "
            "out the same under both",
            "Holtzman et al. 2019, The Curious Case of Neural Text Degeneration, §3.1 eq. (2)",
        ),
        Erratum(
            "1146/1168",
            "imprecise",
            "The notes say top-p adjusts probabilities 'based on their likelihood of occurrence in the model's "
            "vocabulary'",
            "it truncates the model's next-token distribution conditioned on the current context and renormalises "
            "it; it has nothing to do with how common a word is in the vocabulary (line 1176 of the notes says "
            "this part correctly)",
            "Holtzman et al. 2019, §3.1",
        ),
        Erratum(
            "580-582",
            "wrong",
            "Under 'Sampling (Optional)' the notes list 'sampling techniques, such as greedy decoding or beam search'",
            "greedy decoding and beam search are deterministic maximisation-based decoding: they pick the most "
            "probable continuation and draw nothing at random. Sampling (pure, top-k, nucleus) draws the next "
            "token from the distribution",
            "Holtzman et al. 2019, §2 and §3",
        ),
    ],
)

# --------------------------------------------------------------------------- penalties


class PenaltiesInput(ConceptInput):
    logits: dict[str, Real] = Field(min_length=1, max_length=100000)
    generated: list[str] = Field(default=[], max_length=100000, description="tokens sampled so far")
    frequency_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)
    presence_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)

    @model_validator(mode="after")
    def _known(self) -> PenaltiesInput:
        unknown = sorted({t for t in self.generated if t not in self.logits})
        if unknown:
            raise ValueError(f"generated contains tokens with no logit: {unknown[:5]}")
        return self


def _softmax_dict(logits: dict[str, float]) -> dict[str, float]:
    m = max(logits.values())
    e = {t: math.exp(v - m) for t, v in logits.items()}
    s = math.fsum(e.values())
    return {t: v / s for t, v in e.items()}


def run_penalties(inp: PenaltiesInput) -> dict[str, object]:
    """OpenAI: logit[j] − c[j]·frequency_penalty − 1[c[j] > 0]·presence_penalty, c = counts so far."""
    counts = {t: inp.generated.count(t) for t in inp.logits}
    adjusted = {
        t: v - counts[t] * inp.frequency_penalty - (1.0 if counts[t] > 0 else 0.0) * inp.presence_penalty
        for t, v in inp.logits.items()
    }
    return {
        "counts": counts,
        "adjusted_logits": adjusted,
        "probs_before": _softmax_dict(dict(inp.logits)),
        "probs_after": _softmax_dict(adjusted),
    }


PENALTIES = Concept(
    name="penalties",
    title="Presence and frequency penalties",
    section="GPT Playground",
    explanation=(
        "Presence and frequency penalties discourage repetition by lowering the logits of tokens that have "
        "already appeared in the text generated so far. The OpenAI API documents the rule "
        "mu[j] → mu[j] − c[j]·alpha_frequency − 1[c[j] > 0]·alpha_presence, where c[j] counts how many times "
        "token j was sampled so far. The frequency penalty grows with every repetition, so it damps tokens "
        "that keep recurring; the presence penalty is a one-off subtraction for any token that has appeared "
        "at least once, nudging the model towards new topics. Both range from -2 to 2 in the API, and "
        "negative values encourage repetition. They act on the current context only, not on corpus or "
        "training-data frequencies, and there is no position threshold. A related idea is the repetition "
        "penalty of Keskar et al. (CTRL), which divides the logits of previously generated tokens by a "
        "factor θ ≈ 1.2. This task applies the penalties to a dictionary of logits and shows the softmax "
        "probabilities before and after, so the shift in mass away from repeated tokens is visible."
    ),
    input_model=PenaltiesInput,
    example={
        "logits": {"the": 2.0, "cat": 1.5, "dog": 1.0, "sat": 0.5},
        "generated": ["the", "cat", "the"],
        "frequency_penalty": 0.5,
        "presence_penalty": 0.3,
    },
    run=run_penalties,
    quiz=[
        QuizItem(
            question="A token appeared 3 times; frequency_penalty 0.5, presence_penalty 0.3. How much is "
            "subtracted from its logit?",
            answer="3 × 0.5 + 0.3 = 1.8.",
        ),
        QuizItem(
            question="What counts are the penalties based on?",
            answer="How often each token has already appeared in the current text (prompt/completion so "
            "far), not its frequency in the training data.",
        ),
    ],
    references=[
        "OpenAI API docs, Parameter details: frequency and presence penalties",
        "Keskar et al. 2019, CTRL §4.1",
    ],
    errata=[
        Erratum(
            "1150",
            "wrong",
            "The notes say the frequency penalty 'Penalizes words based on their frequency of occurrence in the "
            "model's training data'",
            "it penalises a token in proportion to how many times it has already appeared in the text so far, "
            "mu[j] - c[j]·alpha_frequency; training-data frequencies play no part",
            "OpenAI API documentation, frequency and presence penalties",
        ),
        Erratum(
            "1152-1154 and 1160-1164",
            "wrong",
            "The notes add 'penalty_threshold = 10' (only penalize words that appear more than 10 times in the "
            "training data) and 'penalty_threshold = 5' (only penalize words that appear after the first 5 words)",
            "neither penalty has a threshold parameter: the presence penalty subtracts alpha_presence once for "
            "every token with count c[j] > 0, and the frequency penalty c[j]·alpha_frequency",
            "OpenAI API documentation, frequency and presence penalties",
        ),
    ],
)

CONCEPTS = [BEAM_SEARCH, SAMPLING, PENALTIES]
