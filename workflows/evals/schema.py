"""The evaluation result schema: what an `eval` run is asked to do and what it measured.

One `EvalResult` is the final state of an `eval` run (as a JSON dict). It is the stable
contract for everything built on top: persistence, `/api/evals`, `eval show|compare`,
exports and plots. Items keep every column's output and verdict, so summaries can be
recomputed from them and two runs can be compared item by item.

A *column* is one way of answering the suite: the dataset's own solutions (`reference`),
a reasoning strategy on a model (`cot@gemma3-270m`), or a persona (`coder@gemma3-270m`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = 1
SuiteName = Literal["humaneval", "gsm8k", "game24", "quiz", "jsonl"]
SUITES: tuple[str, ...] = ("humaneval", "gsm8k", "game24", "quiz", "jsonl")
ColumnKind = Literal["reference", "strategy", "agent"]
STRATEGIES: tuple[str, ...] = ("direct", "cot", "cot_sc", "tot", "code_tree", "tutor_sc", "prompt", "prompt_search")
#: Strategies for code items only: the coder's tree search with the sandbox and the evaluator (issue 13).
CODE_ONLY_STRATEGIES: tuple[str, ...] = ("code_tree",)
#: Prompt-lab columns (issue 13): the original instruction prompt, and the best variant the prompt search found
#: on training items outside the evaluated ones; both need items with a checkable answer (GSM8K, a JSONL Q&A suite).
PROMPT_STRATEGIES: tuple[str, ...] = ("prompt", "prompt_search")
#: k values reported for code suites (only those with k <= n samples).
PASS_AT_K: tuple[int, ...] = (1, 10)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EvalSpec(_Model):
    """What to evaluate. Stored in the run's state, so a resumed run evaluates exactly the same thing."""

    suite: SuiteName
    suite_path: str | None = Field(default=None, description="the user's JSONL file (jsonl suite), for display")
    suite_text: str | None = Field(
        default=None, description="the user's JSONL content (jsonl suite): a resume needs no file"
    )
    strategies: list[
        Literal["direct", "cot", "cot_sc", "tot", "code_tree", "tutor_sc", "prompt", "prompt_search"]
    ] = Field(default_factory=list)
    models: list[str] = Field(default_factory=list, description="model names; empty = the backend's default model")
    agent: str | None = Field(default=None, description="a persona as a column (the coder for HumanEval)")
    reference: bool = Field(default=False, description="a column answering with the dataset's own solutions")
    limit: int | None = Field(default=None, ge=1, description="at most this many items")
    offset: int = Field(default=0, ge=0, description="skip this many items first (game24 counts from 900)")
    samples: int = Field(default=1, ge=1, le=200, description="n: samples per code item (pass@k needs k <= n)")
    seed: int = Field(default=0, description="base seed of every model call")
    workers: int = Field(default=1, ge=1, le=32, description="items evaluated at once; also bounds sandbox processes")
    timeout_s: float = Field(default=10.0, gt=0, le=300, description="sandbox timeout per code sample")
    prompt: str | None = Field(
        default=None,
        max_length=4000,
        description="prompt columns: the instruction applied to each item ({input} marks where it goes, else after it)",
    )
    train: int = Field(
        default=3, ge=1, le=50, description="prompt_search: items outside the evaluated ones that score the variants"
    )

    @model_validator(mode="after")
    def _columns(self) -> EvalSpec:
        if not (self.reference or self.strategies or self.agent):
            raise ValueError("choose at least one column: reference, a strategy or an agent")
        if self.suite == "jsonl" and not self.suite_text:
            raise ValueError("the jsonl suite needs the file's content (suite_text)")
        if "code_tree" in self.strategies and self.suite not in ("humaneval", "jsonl"):
            raise ValueError("code_tree searches programs: use it on humaneval or a JSONL suite of code items")
        if set(self.strategies) & set(PROMPT_STRATEGIES) and self.suite not in ("gsm8k", "jsonl"):
            raise ValueError("prompt and prompt_search need items with a checkable answer: gsm8k or a JSONL Q&A suite")
        if self.prompt is not None and not self.prompt.strip():
            raise ValueError("the prompt must not be empty")
        if len(set(self.strategies)) != len(self.strategies) or len(set(self.models)) != len(self.models):
            raise ValueError("strategies and models must not repeat")
        return self

    def column_specs(self, default_model: str) -> list[ColumnSpec]:
        """The columns in table order: reference, then each strategy and the agent for each model."""
        columns = [ColumnSpec(id="reference", kind="reference")] if self.reference else []
        for model in self.models or [default_model]:
            for strategy in self.strategies:
                columns.append(ColumnSpec(id=f"{strategy}@{model}", kind="strategy", strategy=strategy, model=model))
            if self.agent:
                columns.append(ColumnSpec(id=f"{self.agent}@{model}", kind="agent", agent=self.agent, model=model))
        return columns


class ColumnSpec(_Model):
    """One column: its id (as tables and the JSON output name it) and what produces its answers."""

    id: str = Field(description="'reference', '<strategy>@<model>' or '<agent>@<model>'")
    kind: ColumnKind
    strategy: str | None = None
    model: str | None = None
    agent: str | None = None
    prompt: str | None = Field(default=None, description="prompt columns: the prompt applied to every item")


class ColumnOutput(_Model):
    """One column's answer to one item, its verdict and what it cost."""

    output: str | None = Field(default=None, description="the extracted answer (code: the first sample's program)")
    correct: bool = False
    n: int | None = Field(default=None, description="code: samples run")
    c: int | None = Field(default=None, description="code: samples that passed")
    prompt_tokens: int = 0
    evaluated_prompt_tokens: int = Field(
        default=0, description="prompt tokens the backend actually evaluated (cache hits excluded, when it says)"
    )
    completion_tokens: int = 0
    calls: int = Field(default=0, description="model calls")
    seconds: float = Field(default=0.0, description="wall time of this column on this item")
    error: str | None = Field(default=None, description="why the column could not answer (counted as wrong)")
    detail: dict[str, object] = Field(default_factory=dict, description="small extras: verdicts, grade, failures")


class ItemResult(_Model):
    """One suite item with every column's output."""

    index: int = Field(description="position in the suite (game24: the row of 24.csv)")
    id: str = Field(description="stable item id: HumanEval/0, gsm8k/12, game24/900, quiz/softmax/0, jsonl/3")
    input: str = Field(description="the question, puzzle or code prompt")
    expected: str | None = Field(default=None, description="the reference answer (code: the canonical solution)")
    outputs: dict[str, ColumnOutput] = Field(default_factory=dict, description="by column id")


class Interval(_Model):
    low: float
    high: float


class ColumnSummary(_Model):
    """A column's totals over the items it answered."""

    id: str
    kind: ColumnKind
    strategy: str | None = None
    model: str | None = None
    agent: str | None = None
    items: int
    correct: int
    accuracy: float
    wilson95: Interval = Field(description="95% Wilson score interval of the accuracy")
    pass_at_k: dict[str, float] = Field(
        default_factory=dict, description="code suites: {'pass@1': ..., 'pass@10': ...} for k <= n"
    )
    errors: int = 0
    prompt_tokens: int = 0
    evaluated_prompt_tokens: int = 0
    completion_tokens: int = 0
    calls_per_item: float = 0.0
    seconds_per_item: float = 0.0
    accuracy_per_1k_tokens: float | None = Field(
        default=None, description="accuracy / (mean prompt + completion tokens per item / 1000); None without tokens"
    )


class McNemar(_Model):
    """Exact McNemar test between two columns on the same items (two-sided binomial on discordant pairs)."""

    a: str
    b: str
    a_only: int = Field(description="items only column a got right")
    b_only: int = Field(description="items only column b got right")
    p_value: float


class ModelRef(_Model):
    name: str
    backend: str
    digest: str | None = None


class PromptFound(_Model):
    """What a prompt_search column searched: the variant it applies to the evaluated items, found on others."""

    column: str
    prompt: str
    original: str
    techniques: list[str] = Field(default_factory=list, description="the course techniques the variant applies")
    train_items: list[str] = Field(default_factory=list, description="ids of the items that scored the variants")
    train_score: float | None = Field(default=None, description="the variant's mean score (0-10) on those items")
    original_train_score: float | None = None
    prompts_tried: int = 0
    search_prompt_tokens: int = Field(default=0, description="what the search cost, beyond the column's answers")
    search_completion_tokens: int = 0
    search_calls: int = 0
    search_seconds: float = 0.0


class EvalResult(_Model):
    """Everything one evaluation measured: the spec, the setting, per-column summaries and every item."""

    schema_version: int = SCHEMA_VERSION
    spec: EvalSpec
    thinkroom_version: str
    models: list[ModelRef] = Field(default_factory=list, description="each model used, with its digest when known")
    columns: list[ColumnSummary] = Field(default_factory=list)
    items: list[ItemResult] = Field(default_factory=list)
    mcnemar: list[McNemar] = Field(default_factory=list, description="every pair of columns")
    prompts: list[PromptFound] = Field(default_factory=list, description="prompt_search columns: the variant found")
    total_items: int = Field(default=0, description="items the spec selects (items < total while running)")
    wall_seconds: float = 0.0

    def column(self, column_id: str) -> ColumnSummary:
        for summary in self.columns:
            if summary.id == column_id:
                return summary
        raise KeyError(f"no column {column_id!r}; columns: {', '.join(c.id for c in self.columns)}")


__all__ = [
    "PASS_AT_K",
    "PROMPT_STRATEGIES",
    "SCHEMA_VERSION",
    "STRATEGIES",
    "SUITES",
    "ColumnKind",
    "ColumnOutput",
    "ColumnSpec",
    "ColumnSummary",
    "EvalResult",
    "EvalSpec",
    "Interval",
    "ItemResult",
    "McNemar",
    "ModelRef",
    "PromptFound",
    "SuiteName",
]
