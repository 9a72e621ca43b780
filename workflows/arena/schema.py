"""The model and agent arena's contract: what an `arena` run is asked to do and what it found.

An arena puts two or more contestants (a model on the active backend, or a persona on a
model) on the same prompts and judges every pair blind. One `ArenaResult` is the final
state of an `arena` run (as a JSON dict); persistence, `/api/arenas`, exports, plots and
`thinkroom arena` are built on it. Human votes are not part of it: they arrive later, in
the database, and are rated with the judge's outcomes by the server.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from workflows.evals.schema import ModelRef

SCHEMA_VERSION = 1
ArenaSuite = Literal["humaneval", "gsm8k", "game24", "quiz", "jsonl"]
MAX_CONTESTANTS = 8
MAX_PROMPTS = 500
MAX_PROMPT_CHARS = 20_000
Side = Literal["a", "b", "tie"]
JudgedBy = Literal["verifier", "persona", "rule"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArenaSpec(_Model):
    """What to compare. Stored in the run's state, so a resumed arena judges exactly the same thing."""

    suite: ArenaSuite | None = Field(default=None, description="a packaged suite, or jsonl (suite_text); or prompts")
    suite_path: str | None = Field(default=None, description="the user's JSONL file (jsonl suite), for display")
    suite_text: str | None = Field(default=None, description="the user's JSONL content (jsonl suite)")
    prompts: list[str] = Field(default_factory=list, max_length=MAX_PROMPTS,
                               description="inline prompts without a known answer (instead of a suite)")
    limit: int | None = Field(default=None, ge=1, description="at most this many items of the suite")
    offset: int = Field(default=0, ge=0, description="skip this many items of the suite first")
    contestants: list[str] = Field(
        min_length=2, max_length=MAX_CONTESTANTS,
        description="a model name on the active backend, or a persona 'agent@model' ('agent@framework@model'; "
        "a bare persona name runs on the default model)",
    )
    judge: str = Field(default="evaluator", description="the judging persona, 'evaluator' or 'evaluator@crewai'")
    judge_model: str | None = Field(default=None, description="the judge's model (default: the backend's)")
    critique: bool = Field(
        default=True,
        description="the judge's framework turn writes a short comparison before its constrained choice",
    )
    both_orders: bool = Field(
        default=True,
        description="the persona judges each pair as shown and swapped; a win must survive the swap, else a tie",
    )
    seed: int = Field(default=0, ge=0, lt=2**63, description="answer seeds, the blind A/B order, the bootstrap")
    workers: int = Field(default=1, ge=1, le=8, description="prompts answered and judged at once")
    max_tokens: int = Field(default=256, ge=16, le=4096, description="longest answer of a model contestant")
    timeout_s: float = Field(default=10.0, gt=0, le=300, description="sandbox timeout of a code answer")

    @field_validator("prompts")
    @classmethod
    def _prompts(cls, prompts: list[str]) -> list[str]:
        for i, prompt in enumerate(prompts):
            if not prompt.strip():
                raise ValueError(f"prompt {i} is empty")
            if len(prompt) > MAX_PROMPT_CHARS:
                raise ValueError(f"prompt {i} is longer than {MAX_PROMPT_CHARS} characters")
        return prompts

    @field_validator("contestants")
    @classmethod
    def _distinct(cls, contestants: list[str]) -> list[str]:
        cleaned = [c.strip() for c in contestants]
        if any(not c for c in cleaned):
            raise ValueError("a contestant is empty")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("contestants must not repeat")
        return cleaned

    @model_validator(mode="after")
    def _source(self) -> ArenaSpec:
        if (self.suite is None) == (not self.prompts):
            raise ValueError("give either a suite or prompts, not both")
        if self.suite == "jsonl" and not self.suite_text:
            raise ValueError("the jsonl suite needs the file's content (suite_text)")
        return self


class Contestant(_Model):
    """One contestant as the run resolved it; `id` is how tables, votes and ratings name it."""

    id: str
    kind: Literal["model", "agent"]
    model: str
    agent: str | None = None
    framework: str | None = None


class JudgeRef(_Model):
    persona: str
    framework: str
    model: str


class Answer(_Model):
    """One contestant's answer to one prompt, its check (where the item has a known answer) and its cost."""

    text: str = Field(default="", description="the reply as shown to the judge and to people (cut to 4,000 chars)")
    answer: str | None = Field(default=None, description="the answer read out of it (code: the completion)")
    correct: bool | None = Field(default=None, description="the verified check; None when nothing can check it")
    score: float | None = Field(default=None, description="the grounded grader's 0-10 (quiz), c/n (code)")
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    seconds: float = 0.0
    detail: dict[str, object] = Field(default_factory=dict)


class Judgement(_Model):
    """Who decided a pair and how: a verifier, the judging persona, or a rule (a contestant gave no answer)."""

    by: JudgedBy
    method: str = Field(description="gsm8k_exact, game24_verifier, exact_match, quiz_grader, sandbox_tests, "
                                    "constrained_choice or no_answer")
    persona: str | None = None
    framework: str | None = Field(default=None, description="the framework of the critique turn (None: none ran)")
    model: str | None = None
    critique: str | None = Field(default=None, description="the persona's comparison (as shown, not swapped)")
    choices: list[str] = Field(default_factory=list, description="its constrained choices: as shown, then swapped")
    reason: str = ""
    error: str | None = None


class Pair(_Model):
    """Two contestants' answers to one prompt, in the blind order shown: `a` is shown as A, `b` as B."""

    pair_id: str
    a: str
    b: str
    winner: Side | None = Field(description="a, b or tie; None when the judge failed (not rated)")
    judgement: Judgement


class ArenaItem(_Model):
    index: int
    id: str
    kind: str
    input: str = ""
    expected: str | None = None
    answers: dict[str, Answer] = Field(default_factory=dict, description="by contestant id")
    pairs: list[Pair] = Field(default_factory=list)


class RatingRow(_Model):
    contestant: str
    strength: float = Field(description="Bradley-Terry β, log-odds units, centred")
    elo: float = Field(description="1000 + 400·β/ln 10")
    low: float | None = Field(description="95% bootstrap interval, Elo scale (None without outcomes)")
    high: float | None
    wins: int
    losses: int
    ties: int


class RatingsView(_Model):
    """Ratings from one source of outcomes: the judge, people, or both."""

    source: Literal["judge", "human", "combined"]
    outcomes: int
    rounds: int
    seed: int
    prior_precision: float
    method: str
    ratings: list[RatingRow]


class ArenaResult(_Model):
    schema_version: int = SCHEMA_VERSION
    spec: ArenaSpec
    thinkroom_version: str
    models: list[ModelRef] = Field(default_factory=list)
    contestants: list[Contestant]
    judge: JudgeRef
    items: list[ArenaItem] = Field(default_factory=list)
    ratings: RatingsView = Field(description="from the judge's outcomes (verifier, persona and rule)")
    pairs: int = 0
    verified_pairs: int = 0
    persona_pairs: int = 0
    failed_pairs: int = 0
    total_items: int = 0
    wall_seconds: float = 0.0

    def contestant(self, contestant_id: str) -> Contestant:
        for c in self.contestants:
            if c.id == contestant_id:
                return c
        raise KeyError(f"no contestant {contestant_id!r}")

    def pair(self, pair_id: str) -> tuple[ArenaItem, Pair] | None:
        for item in self.items:
            for pair in item.pairs:
                if pair.pair_id == pair_id:
                    return item, pair
        return None


__all__ = [
    "MAX_CONTESTANTS",
    "SCHEMA_VERSION",
    "Answer",
    "ArenaItem",
    "ArenaResult",
    "ArenaSpec",
    "ArenaSuite",
    "Contestant",
    "JudgeRef",
    "JudgedBy",
    "Judgement",
    "Pair",
    "RatingRow",
    "RatingsView",
    "Side",
]
