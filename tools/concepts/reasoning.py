"""Prompt-time reasoning strategies: self-consistency voting and Tree-of-Thoughts state valuation."""

from __future__ import annotations

import re
from collections import Counter
from fractions import Fraction
from itertools import combinations
from typing import Literal

from pydantic import Field, model_validator

from tools.concepts._util import ConceptInput
from tools.concepts.base import Concept, QuizItem
from tools.course.errata import Erratum
from tools.evals.answers import normalize_answer

# --------------------------------------------------------------------------- self-consistency
# Answers are folded by the one normaliser (tools.evals.answers), the same one the CoT-SC
# strategy votes with, so the concept lab and a real CoT-SC run elect the same winner.


class SelfConsistencyInput(ConceptInput):
    answers: list[str] = Field(min_length=1, max_length=10000, description="final answers of sampled chains")
    normalize: bool = True
    tie_break: Literal["first_seen", "lexicographic"] = "first_seen"


def run_self_consistency(inp: SelfConsistencyInput) -> dict[str, object]:
    """Majority vote over normalised answers; ties resolved by tie_break and reported."""
    keys = [normalize_answer(a) if inp.normalize else a for a in inp.answers]
    votes = Counter(keys)
    top = max(votes.values())
    tied = [k for k in dict.fromkeys(keys) if votes[k] == top]  # first-seen order
    winner = tied[0] if inp.tie_break == "first_seen" else min(tied)
    return {
        "votes": dict(votes.most_common()),
        "winner": winner,
        "agreement": top / len(keys),
        "tie": len(tied) > 1,
        "tied_answers": tied,
        "normalized": keys,
    }


SELF_CONSISTENCY = Concept(
    name="self_consistency",
    title="Self-consistency: majority vote over sampled reasoning paths",
    section="Self-Consistency with Chain of Thought (CoT-SC)",
    explanation=(
        "Chain-of-thought prompting asks a model to write intermediate reasoning before the answer. "
        "Self-consistency (Wang et al. 2022) replaces the single greedy chain with many diverse chains "
        "sampled at non-zero temperature (or with top-k/nucleus sampling) and then marginalises out the "
        "reasoning: it parses each chain's final answer and returns the most frequent one. The intuition is "
        "that a hard problem admits several valid lines of reasoning that converge on the same answer, "
        "while mistakes scatter over different wrong answers. Unweighted majority voting performed about as "
        "well as weighting each answer by its normalised probability. The share of votes for the winner "
        "also measures confidence: low agreement flags questions the model is unsure about. Answers must be "
        "compared after normalisation, so this task lower-cases, collapses whitespace, drops trailing "
        "punctuation and canonicalises numbers ('$1,000.00' and '1000' count as the same answer). When two "
        "answers tie, the first one seen wins by default (or the alphabetically smallest), and the tie is "
        "reported rather than hidden."
    ),
    input_model=SelfConsistencyInput,
    example={"answers": ["18", "$18.00", "26", "18.", " eighteen ", "26"]},
    run=run_self_consistency,
    quiz=[
        QuizItem(
            question="How does self-consistency choose the final answer?",
            answer="Sample several chain-of-thought outputs at non-zero temperature, extract each final "
            "answer, and take the majority (most frequent) answer.",
        ),
        QuizItem(
            question="Does greedy decoding involve randomness?",
            answer="No. Greedy decoding deterministically takes the arg-max token each step; randomness "
            "comes from sampling, which self-consistency relies on.",
        ),
    ],
    references=[
        "Wang et al. 2022, Self-Consistency Improves Chain of Thought Reasoning in Language Models",
        "Wei et al. 2022 (chain of thought)",
    ],
    errata=[
        Erratum(
            "1751",
            "wrong",
            "The notes say that in greedy decoding 'LLMs pick at each step the most probable next word (with some "
            "randomness introduced)'",
            "greedy decoding is deterministic; randomness belongs to sampling, which self-consistency uses to get "
            "diverse reasoning paths",
            "Wang et al. 2022, Self-Consistency, §2",
        ),
        Erratum(
            "1785-1787",
            "wrong",
            "The demo filters the choices on choice['role'] == 'assistant' and returns the answers joined into one "
            "string",
            "chat-completion choices have no role key (it is in choice['message']['role']), so the filter fails, "
            "and nothing is voted on. Self-consistency parses each sampled chain's final answer and returns the "
            "most frequent one",
            "Wang et al. 2022, §2; OpenAI chat completion response format",
        ),
        Erratum(
            "1771-1779",
            "outdated",
            "The demo calls 'openai.ChatCompletion.create(model=engine, ...)'",
            "openai.ChatCompletion was removed in openai-python 1.0 (November 2023); on current releases the call "
            "raises APIRemovedInV1 before any request is made. The current form is "
            "OpenAI().chat.completions.create(...), whose choices are objects (choice.message.content)",
            "openai-python v1.0.0 migration guide (checked against the installed openai 2.x)",
        ),
    ],
)

# --------------------------------------------------------------------------- Tree of Thoughts

DEFAULT_VALUE_MAP = {"sure": 20.0, "likely": 1.0, "impossible": 0.001}


class ToTInput(ConceptInput):
    evaluations: dict[str, list[str]] = Field(
        min_length=1, max_length=1000, description="candidate thought -> evaluator verdicts (sampled)"
    )
    breadth: int = Field(default=1, ge=1, le=1000, description="b: how many states BFS keeps")
    value_map: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_VALUE_MAP))

    @model_validator(mode="after")
    def _check(self) -> ToTInput:
        if not self.value_map:
            raise ValueError("value_map must not be empty")
        if any(v < 0 for v in self.value_map.values()):
            raise ValueError("value_map values must be >= 0")
        return self


_LEFT = re.compile(r"\(left:\s*([-\d./\s]+)\)\s*$")


def reaches(numbers: list[Fraction], target: int = 24) -> bool:
    """Whether +, -, ×, ÷ over all the numbers (each used once) can make `target`: exact, by search."""
    if len(numbers) == 1:
        return numbers[0] == target
    for i, j in combinations(range(len(numbers)), 2):
        a, b = numbers[i], numbers[j]
        rest = [n for k, n in enumerate(numbers) if k not in (i, j)]
        results = {a + b, a - b, b - a, a * b}
        results |= {a / b} if b else set()
        results |= {b / a} if a else set()
        if any(reaches([*rest, r], target) for r in results):
            return True
    return False


def left_numbers(thought: str) -> list[Fraction] | None:
    """The numbers a Game-of-24 state still has to use: '13 - 9 = 4 (left: 4 4 10)' -> [4, 4, 10]."""
    match = _LEFT.search(thought)
    if not match:
        return None
    try:
        return [Fraction(part) for part in match.group(1).split()]
    except (ValueError, ZeroDivisionError):
        return None


def run_tot_value(inp: ToTInput) -> dict[str, object]:
    """value = Σ_verdict value_map[verdict]·count (as in the ToT repo); keep the top-b (stable on ties).

    For Game-of-24 states written '... (left: a b c)', also check exactly whether 24 is still reachable,
    so a ranking can be judged against the truth (at most 6 numbers are checked).
    """
    vmap = {k.strip().lower(): v for k, v in inp.value_map.items()}
    values: dict[str, float] = {}
    ignored: dict[str, list[str]] = {}
    reachable: dict[str, bool | None] = {}
    for thought, verdicts in inp.evaluations.items():
        names = [v.strip().lower() for v in verdicts]
        values[thought] = sum(vmap.get(n, 0.0) for n in names)
        bad = [v for v, n in zip(verdicts, names, strict=True) if n not in vmap]
        if bad:
            ignored[thought] = bad
        numbers = left_numbers(thought)
        reachable[thought] = reaches(numbers) if numbers and len(numbers) <= 6 else None
    order = sorted(values, key=lambda t: -values[t])  # sorted() is stable: ties keep input order
    return {
        "values": values,
        "ranking": order,
        "selected": order[: inp.breadth],
        "ignored_verdicts": ignored,
        "can_reach_24": reachable,
    }


TOT_VALUE = Concept(
    name="tree_of_thoughts_value",
    title="Tree of Thoughts: valuing and pruning partial solutions",
    section="Tree Of Thoughts (ToT)",
    explanation=(
        "Tree of Thoughts (Yao et al. 2023) treats problem solving as search over a tree whose nodes are "
        "partial solutions ('thoughts'). At each step a language model proposes several next thoughts, the "
        "same model evaluates each new state, and a search algorithm (breadth-first search keeping the best "
        "b states, or depth-first search with backtracking) decides which to expand, so unpromising branches "
        "are pruned and the search can go back. In the Game of 24 experiments the evaluator is prompted to "
        "classify each state as 'sure', 'likely' or 'impossible' to reach 24, sampled several times; the "
        "authors' code turns these votes into a value with the map sure = 20, likely = 1, impossible = 0.001 "
        "and sums over the samples, so one 'sure' outweighs many 'likely's while 'impossible' states are "
        "nearly, but not exactly, eliminated. Chain of thought is the special case of a single path with no "
        "evaluation or backtracking. This task scores the candidate thoughts from their verdicts, ranks them "
        "and keeps the top b for the next BFS level; unknown verdicts count as zero and are listed. For a "
        "state written '(left: ...)' it also checks exactly whether 24 can still be made, so the example "
        "(the paper's input 4 9 10 13) shows the evaluator keeping the two states that can."
    ),
    input_model=ToTInput,
    example={
        "evaluations": {
            "13 - 9 = 4 (left: 4 4 10)": ["sure", "likely", "sure"],
            "10 - 4 = 6 (left: 6 9 13)": ["likely", "sure", "likely"],
            "4 + 9 = 13 (left: 10 13 13)": ["likely", "impossible", "impossible"],
        },
        "breadth": 2,
    },
    run=run_tot_value,
    quiz=[
        QuizItem(
            question="With the ToT value map, what is the value of verdicts [sure, likely, sure]?",
            answer="20 + 1 + 20 = 41.",
        ),
        QuizItem(
            question="Input 4 9 10 13: which of the states (left: 4 4 10), (left: 6 9 13), (left: 10 13 13) can "
            "still reach 24?",
            answer="The first two: (10 - 4) × 4 = 24 and 6 × (13 - 9) = 24; from 10, 13, 13 no combination gives 24.",
        ),
        QuizItem(
            question="What does ToT add compared with chain-of-thought?",
            answer="Multiple candidate thoughts per step, self-evaluation of states, and search (BFS/DFS) with "
            "pruning and backtracking.",
        ),
    ],
    references=[
        "Yao et al. 2023, Tree of Thoughts: Deliberate Problem Solving with Large Language Models",
        "github.com/princeton-nlp/tree-of-thought-llm (value_outputs_unwrap)",
    ],
)

CONCEPTS = [SELF_CONSISTENCY, TOT_VALUE]
