"""How LLM benchmarks are scored: multiple choice by likelihood, TruthfulQA MC1/MC2, SuperGLUE, MT-Bench,
and Chatbot Arena's Elo and Bradley-Terry ratings."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tools.concepts._util import ConceptInput, Real
from tools.concepts.base import Concept, QuizItem
from tools.course.errata import Erratum

# --------------------------------------------------------------------------- benchmark scoring


class ChoiceItem(BaseModel):
    """One multiple-choice question: the model's log-likelihood of each choice, and the right one."""

    model_config = ConfigDict(extra="forbid")
    logprobs: list[Real] = Field(min_length=2, max_length=26)
    lengths: list[int] | None = Field(default=None, description="tokens per choice, for length normalisation")
    answer: int = Field(ge=0)

    @model_validator(mode="after")
    def _shape(self) -> ChoiceItem:
        if self.answer >= len(self.logprobs):
            raise ValueError(f"answer {self.answer} is not a choice index (0..{len(self.logprobs) - 1})")
        if self.lengths is not None and (len(self.lengths) != len(self.logprobs) or min(self.lengths) < 1):
            raise ValueError("lengths must give a positive token count per choice")
        return self


class TruthfulItem(BaseModel):
    """TruthfulQA MC: log-likelihoods of the true and of the false reference answers."""

    model_config = ConfigDict(extra="forbid")
    true_logprobs: list[Real] = Field(min_length=1, max_length=50, description="first one is the best answer")
    false_logprobs: list[Real] = Field(min_length=1, max_length=50)


class BenchmarkInput(ConceptInput):
    multiple_choice: list[ChoiceItem] = Field(default=[], max_length=10_000, description="MMLU / ARC / HellaSwag")
    length_normalize: bool = Field(default=False, description="HellaSwag-style: compare logprob per token")
    truthfulqa: list[TruthfulItem] = Field(default=[], max_length=10_000)
    superglue: dict[str, list[Real]] = Field(default={}, description="task -> its metric(s), each 0-100")
    mt_bench: list[Real] = Field(default=[], max_length=10_000, description="GPT-4 judge scores, 1-10 per turn")

    @model_validator(mode="after")
    def _something(self) -> BenchmarkInput:
        if not (self.multiple_choice or self.truthfulqa or self.superglue or self.mt_bench):
            raise ValueError("give at least one of multiple_choice, truthfulqa, superglue or mt_bench")
        if any(not 1 <= s <= 10 for s in self.mt_bench):
            raise ValueError("mt_bench scores lie in 1..10")
        if any(not scores or any(not 0 <= s <= 100 for s in scores) for scores in self.superglue.values()):
            raise ValueError("each superglue task needs one or more metrics in 0..100")
        return self


def _softmax(values: list[float]) -> list[float]:
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = math.fsum(exps)
    return [e / total for e in exps]


def choose(item: ChoiceItem, length_normalize: bool) -> int:
    """The choice with the highest (per-token, if asked) log-likelihood; the first on ties."""
    scores = (
        [lp / n for lp, n in zip(item.logprobs, item.lengths, strict=True)]
        if length_normalize and item.lengths
        else list(item.logprobs)
    )
    return max(range(len(scores)), key=lambda i: (scores[i], -i))


def run_benchmarks(inp: BenchmarkInput) -> dict[str, object]:
    """Score each benchmark the way its paper does; every score is reported on its own scale."""
    out: dict[str, object] = {}
    if inp.multiple_choice:
        picks = [choose(item, inp.length_normalize) for item in inp.multiple_choice]
        correct = sum(p == item.answer for p, item in zip(picks, inp.multiple_choice, strict=True))
        chance = math.fsum(1 / len(item.logprobs) for item in inp.multiple_choice) / len(picks)
        out["multiple_choice"] = {"picks": picks, "accuracy": correct / len(picks), "chance": chance}
    if inp.truthfulqa:
        mc1, mc2 = [], []
        for item in inp.truthfulqa:
            mc1.append(float(item.true_logprobs[0] > max(item.false_logprobs)))
            probs = _softmax([*item.true_logprobs, *item.false_logprobs])
            mc2.append(math.fsum(probs[: len(item.true_logprobs)]))
        out["truthfulqa"] = {"mc1": math.fsum(mc1) / len(mc1), "mc2": math.fsum(mc2) / len(mc2)}
    if inp.superglue:
        per_task = {task: math.fsum(scores) / len(scores) for task, scores in inp.superglue.items()}
        out["superglue"] = {"per_task": per_task, "score": math.fsum(per_task.values()) / len(per_task)}
    if inp.mt_bench:
        out["mt_bench"] = {"score": math.fsum(inp.mt_bench) / len(inp.mt_bench), "scale": "1-10"}
    return out


BENCHMARKS = Concept(
    name="benchmarks",
    title="LLM benchmarks and how each is scored",
    section="What are LLM Benchmarks and Why are They Important?",
    explanation=(
        "A benchmark is a fixed set of items plus a scoring rule, and the rule matters as much as the data. "
        "MMLU (Hendrycks et al. 2021) has 15,908 four-choice questions in 57 subjects; ARC (Clark et al. 2018) "
        "7,787 grade-school science questions split into Easy and Challenge; HellaSwag (Zellers et al. 2019) "
        "asks for the right ending of an ActivityNet or WikiHow context among four. All three report accuracy, "
        "and a base model answers by likelihood: the choice whose text it finds most probable wins (HellaSwag "
        "is usually scored per token, since endings differ in length). Chance is 25%. TruthfulQA (Lin et al. "
        "2022) has 817 questions in 38 categories; its main task is generation judged true and informative by "
        "humans or a fine-tuned GPT judge, and its multiple-choice tasks are separate scores: MC1, whether the "
        "best true answer outscores every false one, and MC2, the normalised probability mass on the true "
        "answers. SuperGLUE's score is the average over its eight tasks, averaging a task's metrics first. "
        "MT-Bench (Zheng et al. 2023) has 80 two-turn questions graded 1-10 by GPT-4 as judge. Chatbot Arena "
        "ranks models from human pairwise votes (the arena_elo concept). This task scores items in each format."
    ),
    input_model=BenchmarkInput,
    example={
        "multiple_choice": [
            {"logprobs": [-4.1, -1.2, -3.3, -2.8], "answer": 1},
            {"logprobs": [-2.0, -2.5, -1.9, -6.0], "answer": 0},
            {"logprobs": [-9.0, -12.0, -7.5, -11.0], "lengths": [6, 9, 3, 8], "answer": 1},
        ],
        "truthfulqa": [{"true_logprobs": [-3.0, -4.0], "false_logprobs": [-2.5, -5.0]}],
        "superglue": {"BoolQ": [80.0], "CB": [90.0, 94.0], "MultiRC": [70.0, 30.0]},
        "mt_bench": [8, 7, 9, 6],
        "length_normalize": True,
    },
    run=run_benchmarks,
    quiz=[
        QuizItem(
            question="How many questions does MT-Bench have, and how are answers scored?",
            answer="80 multi-turn questions (10 in each of 8 categories, two turns each), graded 1-10 by GPT-4 "
            "as a judge.",
        ),
        QuizItem(
            question="Are TruthfulQA's generation and multiple-choice scores combined into one number?",
            answer="No. Generation is judged for truthfulness and informativeness; MC1 and MC2 are separate "
            "multiple-choice scores.",
        ),
        QuizItem(
            question="How is a base model's answer to an MMLU question usually chosen?",
            answer="By likelihood: the choice (or answer letter) the model assigns the highest probability; "
            "accuracy is then compared with 25% chance.",
        ),
    ],
    references=[
        "Hendrycks et al. 2021, Measuring Massive Multitask Language Understanding",
        "Clark et al. 2018, Think you have Solved Question Answering? Try ARC",
        "Zellers et al. 2019, HellaSwag",
        "Lin, Hilton & Evans 2022, TruthfulQA",
        "Wang et al. 2019, SuperGLUE",
        "Zheng et al. 2023, Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena",
    ],
    errata=[
        Erratum(
            "1561",
            "wrong",
            "The notes say the MT-Bench authors 'devised 10 multi-turn questions per category, to create a total "
            "set of 160 questions'",
            "8 categories × 10 questions = 80 questions; each has two turns, so 160 turns, not questions. The "
            "answers are graded by GPT-4 as judge on a 1-10 scale",
            "Zheng et al. 2023, §2.2 and §3",
        ),
        Erratum(
            "1487",
            "wrong",
            "The notes say TruthfulQA scores a generation task and a task where 'the LLM must choose true or false' "
            "and that 'The two scores are then combined to produce a final result'",
            "generation (judged true and informative by humans or a fine-tuned GPT-judge) is the main task, and "
            "the multiple-choice task picks among reference answers by likelihood (MC1, MC2); the scores are "
            "reported separately, not combined",
            "Lin, Hilton & Evans 2022, TruthfulQA, §3",
        ),
        Erratum(
            "1501/1525-1529",
            "wrong",
            "The notes say SuperGLUE assesses 'eight subtasks and two metrics, with their average providing an "
            "overall score', the metrics being 'Broad Coverage Diagnostics' and 'Analysing Gender Bias'",
            "the overall score is the average of the eight tasks' scores (a task with two metrics is averaged "
            "first); the broad-coverage diagnostic and Winogender are diagnostic datasets, not metrics, and are "
            "not part of the average",
            "Wang et al. 2019, SuperGLUE, §4 and §5",
        ),
        Erratum(
            "1594/1603",
            "wrong",
            "The comparison table in the notes gives GPT-3.5 an 'Average' of 65.46%",
            "its six scores in the same row (70, 85.5, 48.1, 66.6, 57.1, 34.1) average to 60.23%; every other "
            "row's average matches its scores",
            "Arithmetic on the table's own row (recomputed)",
        ),
        Erratum(
            "1433",
            "wrong",
            "The notes say 'the ARC corpus provides distributed evidence', 'spreading the pertinent details "
            "throughout a passage'",
            "ARC questions come without passages: the Challenge set is the questions that both a retrieval-based "
            "and a word co-occurrence baseline answered wrongly, and the ARC Corpus of 14M science sentences is "
            "optional background text",
            "Clark et al. 2018, §3 and §4",
        ),
        Erratum(
            "1449",
            "imprecise",
            "The notes say each HellaSwag exercise 'is composed of a segment of a video caption as an initial "
            "context and four possible endings'",
            "contexts come from ActivityNet video captions and from WikiHow articles",
            "Zellers et al. 2019, HellaSwag, §4",
        ),
        Erratum(
            "1428",
            "imprecise",
            "The notes say that after a benchmark 'models are usually awarded a score from 0 to 100'",
            "many report accuracy as a percentage, but MT-Bench scores 1-10 and Chatbot Arena gives Elo-scale "
            "ratings around 1000 with no upper bound",
            "Zheng et al. 2023, §3 and §4",
        ),
        Erratum(
            "1470",
            "imprecise",
            "The notes list humanities as 'language arts, history, sociology, performing and visual arts, etc.'",
            "MMLU groups its 57 subjects into STEM, humanities, social sciences and other; sociology is a social "
            "science, and the humanities subjects are law, philosophy, logic, history, morality and world religions",
            "Hendrycks et al. 2021, Appendix (subject list)",
        ),
    ],
)

# --------------------------------------------------------------------------- arena: Elo and Bradley-Terry


class ArenaInput(ConceptInput):
    models: list[str] = Field(min_length=2, max_length=100)
    battles: list[tuple[str, str, Literal["a", "b", "tie"]]] = Field(
        min_length=1, max_length=100_000, description="[model_a, model_b, winner] in the order played"
    )
    k: float = Field(default=4.0, gt=0, le=100, description="Elo K-factor (Chatbot Arena used 4)")
    initial: float = Field(default=1000.0, ge=0, le=10_000)
    bt_steps: int = Field(default=3000, ge=1, le=100_000)

    @model_validator(mode="after")
    def _known(self) -> ArenaInput:
        if len(set(self.models)) != len(self.models):
            raise ValueError("models must be unique")
        for i, (a, b, _) in enumerate(self.battles):
            if a not in self.models or b not in self.models:
                raise ValueError(f"battles[{i}] names a model not in models")
            if a == b:
                raise ValueError(f"battles[{i}] pits a model against itself")
        return self


def expected_score(r_a: float, r_b: float) -> float:
    """Elo's expected score of A against B: 1 / (1 + 10^((R_B − R_A)/400))."""
    return 1.0 / (1.0 + 10 ** ((r_b - r_a) / 400.0))


def elo(models: list[str], battles: Sequence[tuple[str, str, str]], k: float, initial: float) -> dict[str, float]:
    """Online Elo: after each battle R_A += K(S_A − E_A), R_B −= the same; a tie scores 0.5."""
    ratings = dict.fromkeys(models, initial)
    for a, b, winner in battles:
        s_a = {"a": 1.0, "b": 0.0, "tie": 0.5}[winner]
        delta = k * (s_a - expected_score(ratings[a], ratings[b]))
        ratings[a] += delta
        ratings[b] -= delta
    return ratings


def bradley_terry_elo(
    models: list[str], battles: Sequence[tuple[str, str, str]], steps: int, initial: float
) -> dict[str, float]:
    """Maximum-likelihood Bradley-Terry strengths on the Elo scale (ties count half a win each way).

    P(A beats B) = σ(β_A − β_B); rating = initial + 400·β / ln 10, centred on `initial`. A tiny ridge
    (1e-4) keeps an unbeaten model finite. Order of battles does not matter.
    """
    index = {m: i for i, m in enumerate(models)}
    beta = [0.0] * len(models)
    pairs = []
    for a, b, winner in battles:
        s_a = {"a": 1.0, "b": 0.0, "tie": 0.5}[winner]
        pairs.append((index[a], index[b], s_a))
    lr = 4.0
    for _ in range(steps):
        grad = [-1e-4 * v for v in beta]
        for i, j, s in pairs:
            p = 1.0 / (1.0 + math.exp(beta[j] - beta[i]))
            grad[i] += (s - p) / len(pairs)
            grad[j] -= (s - p) / len(pairs)
        beta = [v + lr * g for v, g in zip(beta, grad, strict=True)]
        mean = math.fsum(beta) / len(beta)
        beta = [v - mean for v in beta]
    return {m: initial + 400.0 * beta[index[m]] / math.log(10) for m in models}


def run_arena(inp: ArenaInput) -> dict[str, object]:
    """Elo in the given order and in reverse (it depends on order), and order-free Bradley-Terry ratings."""
    battles = [(a, b, w) for a, b, w in inp.battles]
    forward = elo(inp.models, battles, inp.k, inp.initial)
    backward = elo(inp.models, battles[::-1], inp.k, inp.initial)
    bt = bradley_terry_elo(inp.models, battles, inp.bt_steps, inp.initial)
    ranked = sorted(inp.models, key=lambda m: -bt[m])
    return {
        "elo": forward,
        "elo_reversed_order": backward,
        "bradley_terry": bt,
        "ranking": ranked,
        "p_first_beats_second": expected_score(bt[ranked[0]], bt[ranked[1]]),
    }


ARENA_ELO = Concept(
    name="arena_elo",
    title="Chatbot Arena ratings: Elo and Bradley-Terry",
    section="MT Bench",
    explanation=(
        "Chatbot Arena (Zheng et al. 2023; Chiang et al. 2024) shows a user two anonymous models' answers to "
        "the same prompt and records which one the user prefers, or a tie. Ratings turn these battles into a "
        "leaderboard. Elo, from chess, predicts that A beats B with probability E_A = 1/(1 + 10^((R_B − "
        "R_A)/400)); after a battle with outcome S_A (1 win, 0.5 tie, 0 loss) it moves R_A by K(S_A − E_A) and "
        "R_B by the opposite amount. Starting both at 1000 with K = 4, a single win moves the winner to 1002. "
        "Online Elo depends on the order of the battles and was designed for players whose skill changes, "
        "while a model's is fixed, so the Arena moved to the Bradley-Terry model: it fits one strength per model "
        "by maximum likelihood over all battles at once, P(A beats B) = σ(β_A − β_B), and reports 400·β/ln 10 "
        "on the Elo scale. The result does not depend on order, and a 75% win rate means a gap of 400·log10(3) "
        "≈ 191 points. The same model underlies RLHF reward models (the bradley_terry concept). This task "
        "computes Elo in the given and the reversed order, and the Bradley-Terry ratings."
    ),
    input_model=ArenaInput,
    example={
        "models": ["model-x", "model-y", "model-z"],
        "battles": [
            ["model-x", "model-y", "a"],
            ["model-x", "model-y", "a"],
            ["model-x", "model-y", "a"],
            ["model-x", "model-y", "b"],
            ["model-y", "model-z", "a"],
            ["model-x", "model-z", "tie"],
        ],
    },
    run=run_arena,
    quiz=[
        QuizItem(
            question="Two models start at 1000 with K = 4 and A wins once. What are the new Elo ratings?",
            answer="E_A = 0.5, so A gets 1000 + 4 × 0.5 = 1002 and B 998.",
        ),
        QuizItem(
            question="Under Bradley-Terry on the Elo scale, what rating gap gives a 75% win probability?",
            answer="400·log10(0.75/0.25) = 400·log10 3 ≈ 190.8 points.",
        ),
        QuizItem(
            question="Why did Chatbot Arena move from online Elo to Bradley-Terry?",
            answer="Online Elo depends on the order of battles and suits changing skill; Bradley-Terry fits "
            "fixed strengths to all battles at once by maximum likelihood, independent of order.",
        ),
    ],
    references=[
        "Zheng et al. 2023, Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena",
        "Chiang et al. 2024, Chatbot Arena: An Open Platform for Evaluating LLMs by Human Preference",
        "Elo 1978; Bradley & Terry 1952",
    ],
)

CONCEPTS = [BENCHMARKS, ARENA_ELO]
