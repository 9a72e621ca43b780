"""Prompt search: the prompt-engineer proposes variants, the evaluator scores their outputs, BFS keeps the best.

The search automatic prompt engineering describes (APE, OPRO), with the course's techniques
as the moves and the personas doing the steps:

1. tests:    the test inputs the user gives (optionally with the expected answer), else up to
             `test_inputs` the prompt-engineer writes for the prompt.
2. expand:   from each kept prompt, the prompt-engineer writes `variants` variants, each applying
             one named technique (`tools.reasoning.prompts.TECHNIQUES`) not yet applied on its
             path. A reply with no usable prompt (empty, unchanged, or only an echo of its
             instructions) is replaced by the technique applied by rule, and the node says so
             (`source` "rule", with the `problem`): every variant applies what it is named for.
3. evaluate: the model answers each prompt on each test input (the prompt is all that differs);
             an output is scored 10 or 0 against a given expected answer, else by the evaluator
             persona's grade turn (grounded in the concept lab when the course can check the
             answer). A prompt's score is the mean over the test inputs, 0-10. The original
             prompt is scored too, on the same inputs.
4. select:   keep the best `breadth` prompts of the level (the original competes at level 0).
5. stop:     after `depth` levels, or when no technique is left to apply.

The result is the best-scoring prompt (the original, unless a variant scores strictly higher),
with a score table of every prompt tried. Each node names its persona and framework, and the
steps are streamed as `prompt_search.*` events.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agents.crewai_adapter.parsing import TRICK_HINTS, parse_rewritten_prompt
from agents.llm.errors import GatewayError
from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions
from agents.reasoning import grade_task, persona_sources, without_echo
from tools.evals.answers import normalize_answer
from tools.grading.score import parse_reasons, parse_score
from tools.reasoning.prompts import (
    TECHNIQUES,
    apply_technique,
    listed_lines,
    matches_expected,
    strip_markers,
    with_input,
)

from .base import Emit, Stopwatch, UsageTotals, emit_event, metered
from .config import persona_label
from .personas import persona_step
from .phases import SearchPhases

ROOT = "0"
Phase = Literal["tests", "expand", "evaluate", "select", "finish", "complete"]
Source = Literal["original", "persona", "rule"]


class PromptSearchConfig(BaseModel):
    """Who does each step, which techniques to try and how wide and deep to search."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["prompt_search"] = "prompt_search"
    engineer: str = Field(default="prompt-engineer", description="the persona that writes variants and test inputs")
    evaluator: str = Field(
        default="evaluator", description="the persona that scores outputs without an expected answer"
    )
    techniques: list[str] = Field(default_factory=lambda: list(TECHNIQUES), description="the moves, in order of use")
    variants: int = Field(default=3, ge=1, le=7, description="variants written from each kept prompt")
    breadth: int = Field(default=1, ge=1, le=8)
    depth: int = Field(default=2, ge=1, le=5, description="levels of variants")
    test_inputs: int = Field(default=2, ge=1, le=8, description="inputs the prompt-engineer writes when none are given")
    temperature: float = Field(default=0.7, ge=0.0, le=2.0, description="the prompt-engineer's sampling")
    answer_temperature: float = Field(default=0.2, ge=0.0, le=2.0, description="the model answering each prompt")
    max_tokens: int = Field(default=256, ge=16, description="a variant's budget")
    answer_max_tokens: int = Field(default=256, ge=16, description="an answer's budget")
    seed: int = 0
    max_concurrency: int = Field(default=2, ge=1, le=16)

    @field_validator("engineer", "evaluator")
    @classmethod
    def _persona(cls, value: str) -> str:
        label = persona_label(value)
        if label is None:
            raise ValueError("a persona is needed")
        return label

    @field_validator("techniques")
    @classmethod
    def _techniques(cls, values: list[str]) -> list[str]:
        unknown = [v for v in values if v not in TECHNIQUES]
        if unknown or not values:
            raise ValueError(f"techniques must be among: {', '.join(TECHNIQUES)} (got {unknown or values})")
        return list(dict.fromkeys(values))


class TestInput(BaseModel):
    """One input a prompt is applied to, and the answer it should give if known."""

    __test__ = False  # not a pytest class

    input: str
    expected: str | None = None
    origin: Literal["user", "engineer", "none"] = "user"


class PromptNode(BaseModel):
    """One prompt tried (the root is the original) and how its outputs scored."""

    id: str
    parent_id: str | None = None
    depth: int = 0
    technique: str | None = None
    techniques: list[str] = Field(default_factory=list, description="every technique applied on its path")
    tried: list[str] = Field(default_factory=list, description="techniques already proposed from this prompt")
    prompt: str
    source: Source = "persona"
    persona: str | None = None
    framework: str | None = None
    reply: str = ""
    problem: str | None = Field(default=None, description="why the prompt-engineer's text was replaced by the rule")
    outputs: list[dict[str, Any]] = Field(default_factory=list, description="per test: output, score, method, by")
    score: float | None = None
    kept: bool | None = None
    pruned_reason: str | None = None
    usage: UsageTotals = Field(default_factory=UsageTotals)


class PromptSearchState(BaseModel):
    original: str
    config: PromptSearchConfig
    tests: list[TestInput] = Field(default_factory=list)
    tests_by: str | None = None
    nodes: dict[str, PromptNode] = Field(default_factory=dict)
    frontier: list[str] = Field(default_factory=list)
    candidates: list[str] = Field(default_factory=list)
    step: int = 0
    phase: Phase = "tests"
    done: bool = False
    stop_reason: str | None = None
    best_id: str | None = None
    answer: str | None = None
    next_seed: int = 0
    errors: list[str] = Field(default_factory=list)
    usage: UsageTotals = Field(default_factory=UsageTotals)

    def take_seed(self) -> int:
        seed = self.config.seed + self.next_seed
        self.next_seed += 1
        return seed


class PromptSearchResult(BaseModel):
    prompt: str
    techniques: list[str]
    score: float | None
    original_score: float | None
    table: list[dict[str, Any]]
    nodes: list[PromptNode]
    tests: list[TestInput]
    usage: UsageTotals
    wall_time_s: float
    trace: dict[str, Any]


def read_tests(raw: list[Any] | None) -> list[TestInput]:
    """Test inputs as given: strings, or {"input", "expected"} objects (ValueError names a bad one). An
    empty input with an expected answer means the prompt alone is the question."""
    found: list[TestInput] = []
    for i, item in enumerate(raw or []):
        if isinstance(item, str) and item.strip():
            found.append(TestInput(input=item.strip()))
            continue
        given = item.get("input", "") if isinstance(item, dict) else None
        expected = item.get("expected") if isinstance(item, dict) else None
        if not isinstance(given, str) or not (given.strip() or expected is not None):
            raise ValueError(f"tests[{i}] must be a non-empty string or {{'input': ..., 'expected': ...}}")
        if expected is not None and not isinstance(expected, (str, int, float)):
            raise ValueError(f"tests[{i}].expected must be text or a number")
        found.append(TestInput(input=given.strip(), expected=None if expected is None else str(expected)))
    return found


def init_prompt_search(
    prompt: str, tests: list[Any] | None = None, config: PromptSearchConfig | None = None
) -> PromptSearchState:
    if not prompt.strip():
        raise ValueError("the prompt search needs a non-empty 'prompt'")
    given = read_tests(tests)
    root = PromptNode(id=ROOT, prompt=prompt.strip(), source="original", kept=True)
    return PromptSearchState(
        original=prompt.strip(),
        config=config or PromptSearchConfig(),
        tests=given,
        nodes={ROOT: root},
        frontier=[ROOT],
        candidates=[ROOT],
        phase="expand" if given else "tests",
    )


def _fenced(prompt: str) -> str:
    return f"<<<\n{prompt}\n>>>"


def tests_task(state: PromptSearchState) -> str:
    return (
        f"Write {state.config.test_inputs} short, different example inputs this prompt could be applied to, one per "
        f"line, without answers.\nPrompt:\n{_fenced(state.original)}"
    )


async def write_tests(state: PromptSearchState, gateway: Gateway, emit: Emit | None = None) -> PromptSearchState:
    """The prompt-engineer writes test inputs; none usable leaves the prompt to be scored on its own."""
    new = state.model_copy(deep=True)
    cfg = new.config
    task = tests_task(new)
    options = GenerationOptions(temperature=cfg.temperature, max_tokens=cfg.max_tokens, seed=new.take_seed())
    reply, usage = await persona_step(cfg.engineer, "propose", task, gateway, options)
    new.usage, new.tests_by = new.usage.merged(usage), reply.label
    if not reply.ok:
        new.errors.append(f"{reply.label}: {reply.error}"[:300])
    instructions = persona_sources(cfg.engineer, task.replace(new.original, ""))
    lines = listed_lines(without_echo(reply.text, instructions), cfg.test_inputs) if reply.ok else []
    lines = [ln for ln in lines if normalize_answer(ln) != normalize_answer(new.original)]
    new.tests = [TestInput(input=ln, origin="engineer") for ln in lines] or [TestInput(input="", origin="none")]
    emit_event(
        emit,
        "prompt_search.tests",
        {"persona": reply.persona, "framework": reply.framework, "tests": [t.input for t in new.tests]},
    )
    new.phase = "expand"
    return new


def variant_task(parent: str, technique: str) -> str:
    hint = TRICK_HINTS.get(technique, technique)
    return (
        f'Rewrite this prompt using the technique "{technique}" ({hint}). Keep its task the same. '
        f"Reply with the rewritten prompt only.\nPrompt:\n{_fenced(parent)}"
    )


def read_variant(engineer: str, parent: str, task: str, reply: str) -> tuple[str | None, str | None]:
    """(the prompt in the reply, None) or (None, why there is none)."""
    text = parse_rewritten_prompt(reply) or reply
    instructions = persona_sources(engineer, task.replace(parent, ""))
    variant = strip_markers(without_echo(strip_markers(text), instructions))
    if not variant:
        return None, "the reply only echoed its instructions" if reply.strip() else "the reply was empty"
    if normalize_answer(variant) == normalize_answer(parent):
        return None, "the reply repeated the prompt unchanged"
    return variant, None


async def expand(state: PromptSearchState, gateway: Gateway, emit: Emit | None = None) -> PromptSearchState:
    """Variants of each kept prompt, one per technique not yet applied on its path (and not yet tried from it)."""
    new = state.model_copy(deep=True)
    cfg = new.config
    jobs: list[tuple[PromptNode, str, str, int]] = []
    for pid in new.frontier:
        parent = new.nodes[pid]
        fresh = [t for t in cfg.techniques if t not in parent.techniques and t not in parent.tried]
        for technique in fresh[: cfg.variants]:
            parent.tried.append(technique)
            jobs.append((parent, technique, variant_task(parent.prompt, technique), new.take_seed()))
    limit = asyncio.Semaphore(cfg.max_concurrency)

    async def one(task: str, seed: int) -> Any:
        options = GenerationOptions(temperature=cfg.temperature, max_tokens=cfg.max_tokens, seed=seed)
        async with limit:
            return await persona_step(cfg.engineer, "propose", task, gateway, options)

    replies = await asyncio.gather(*(one(task, seed) for _, _, task, seed in jobs))
    children: list[str] = []
    for (parent, technique, task, _), (reply, usage) in zip(jobs, replies, strict=True):
        new.usage = new.usage.merged(usage)
        if not reply.ok:
            new.errors.append(f"{reply.label}: {reply.error}"[:300])
        variant, problem = (
            read_variant(cfg.engineer, parent.prompt, task, reply.text) if reply.ok else (None, reply.error)
        )
        node = PromptNode(
            id=str(len(new.nodes)),
            parent_id=parent.id,
            depth=parent.depth + 1,
            technique=technique,
            techniques=[*parent.techniques, technique],
            prompt=variant if variant is not None else apply_technique(parent.prompt, technique),
            source="persona" if variant is not None else "rule",
            persona=reply.persona,
            framework=reply.framework,
            reply=reply.text[:2000],
            problem=problem,
            usage=usage,
        )
        new.nodes[node.id] = node
        children.append(node.id)
        emit_event(
            emit,
            "prompt_search.variant",
            {
                "node_id": node.id,
                "parent_id": parent.id,
                "technique": technique,
                "source": node.source,
                "persona": node.persona,
                "framework": node.framework,
                "prompt": node.prompt[:2000],
                "problem": problem,
            },
        )
    new.candidates = [i for i in new.candidates if new.nodes[i].score is None] + children
    new.stop_reason = None if children else "no_techniques_left"
    new.phase = "evaluate"
    return new


async def _answer(gateway: Gateway, prompt: str, options: GenerationOptions) -> tuple[str, str | None]:
    """The model's answer to one prompt on one input, or the failure."""
    try:
        result = await gateway.chat(prompt, options=options)
    except GatewayError as exc:
        return "", f"{type(exc).__name__}: {exc}"[:300]
    return result.text.strip(), None


async def _score_output(
    state: PromptSearchState, test: TestInput, output: str, gateway: Gateway
) -> tuple[dict[str, Any], UsageTotals]:
    """One output scored: against the expected answer if given, else by the evaluator's grade turn."""
    if not output:
        return {"score": 0.0, "method": "no output", "by": None}, UsageTotals()
    if test.expected is not None:
        hit = matches_expected(output, test.expected)
        return {"score": 10.0 if hit else 0.0, "method": "expected answer", "by": None}, UsageTotals()
    question = with_input(state.original, test.input)
    reply, usage = await persona_step(
        state.config.evaluator, "evaluate", grade_task(question, output), gateway, graded=True
    )
    if not reply.ok:
        return {"score": 0.0, "method": "failed", "by": reply.label, "reasons": reply.error}, usage
    score = parse_score(reply.text)
    method = f"grounded ({reply.grounding.get('method')})" if reply.grounding else "grade"
    scored = {"score": score if score is not None else 0.0, "method": method if score is not None else "no score"}
    return {**scored, "by": reply.label, "reasons": parse_reasons(reply.text)[:300]}, usage


async def evaluate(state: PromptSearchState, gateway: Gateway, emit: Emit | None = None) -> PromptSearchState:
    """Every new prompt answered on every test input and each output scored; a prompt's score is their mean."""
    new = state.model_copy(deep=True)
    cfg = new.config
    todo = [new.nodes[i] for i in new.candidates if new.nodes[i].score is None]
    limit = asyncio.Semaphore(cfg.max_concurrency)

    async def one(node: PromptNode, index: int, test: TestInput) -> tuple[dict[str, Any], UsageTotals]:
        seed = cfg.seed + 10_000 + index  # every prompt meets an input with the same seed: only the prompt differs
        options = GenerationOptions(temperature=cfg.answer_temperature, max_tokens=cfg.answer_max_tokens, seed=seed)
        async with limit:
            with metered() as meter:
                output, error = await _answer(gateway, with_input(node.prompt, test.input), options)
            scored, cost = await _score_output(new, test, output, gateway)
        row = {"input": test.input, "output": output[:2000], **scored, **({"error": error} if error else {})}
        return row, meter.totals.merged(cost)

    jobs = [(node, i, test) for node in todo for i, test in enumerate(new.tests)]
    results = await asyncio.gather(*(one(node, i, test) for node, i, test in jobs))
    for (node, _, _), (row, usage) in zip(jobs, results, strict=True):
        node.outputs.append(row)
        node.usage = node.usage.merged(usage)
        new.usage = new.usage.merged(usage)
    for node in todo:
        node.score = round(sum(o["score"] for o in node.outputs) / len(node.outputs), 3) if node.outputs else 0.0
        emit_event(
            emit,
            "prompt_search.score",
            {
                "node_id": node.id,
                "score": node.score,
                "scores": [o["score"] for o in node.outputs],
                "scored_by": sorted({o["by"] for o in node.outputs if o.get("by")}),
            },
        )
    new.phase = "select"
    return new


def _rank(node: PromptNode) -> tuple[float, int, int]:
    """Higher score first; on a tie, the shallower (the original before any variant), then the earlier."""
    return (node.score or 0.0, -node.depth, -int(node.id))


def select(state: PromptSearchState, emit: Emit | None = None) -> PromptSearchState:
    new = state.model_copy(deep=True)
    cfg = new.config
    ranked = sorted(new.candidates, key=lambda i: _rank(new.nodes[i]), reverse=True)
    kept = ranked[: cfg.breadth]
    for rank, node_id in enumerate(ranked, 1):
        node = new.nodes[node_id]
        node.kept = node_id in kept
        node.pruned_reason = None if node.kept else f"not selected at level {new.step} (rank {rank})"
    emit_event(emit, "prompt_search.select", {"step": new.step, "kept_ids": kept, "pruned_ids": ranked[cfg.breadth :]})
    new.frontier, new.candidates = kept, []
    new.step += 1
    if new.stop_reason == "no_techniques_left":
        new.done = True
    elif new.step >= cfg.depth:
        new.done, new.stop_reason = True, "depth"
    new.phase = "finish" if new.done else "expand"
    return new


def score_table(state: PromptSearchState) -> list[dict[str, Any]]:
    """Every prompt tried, best first: its techniques, who wrote it, its score and per-input scores."""
    rows = []
    for node in sorted(state.nodes.values(), key=_rank, reverse=True):
        if node.score is None:
            continue
        rows.append(
            {
                "id": node.id,
                "techniques": node.techniques,
                "source": node.source,
                "written_by": f"{node.persona}@{node.framework}" if node.persona else None,
                "score": node.score,
                "scores": [o["score"] for o in node.outputs],
                "prompt": node.prompt,
            }
        )
    return rows


def finish(state: PromptSearchState, emit: Emit | None = None) -> PromptSearchState:
    new = state.model_copy(deep=True)
    scored = [n for n in new.nodes.values() if n.score is not None]
    best = max(scored, key=_rank) if scored else new.nodes[ROOT]
    new.best_id, new.answer = best.id, best.prompt
    new.done, new.phase = True, "complete"
    emit_event(
        emit,
        "prompt_search.finish",
        {
            "best_id": best.id,
            "score": best.score,
            "original_score": new.nodes[ROOT].score,
            "techniques": best.techniques,
            "persona": best.persona,
            "framework": best.framework,
        },
    )
    return new


PHASES: SearchPhases[PromptSearchState] = SearchPhases(write_tests, expand, evaluate, select, finish)
step = PHASES.step  # the next phase of the search (what a graph node runs)


def result_of(state: PromptSearchState, wall_time_s: float = 0.0) -> PromptSearchResult:
    best = state.nodes[state.best_id or ROOT]
    return PromptSearchResult(
        prompt=best.prompt,
        techniques=best.techniques,
        score=best.score,
        original_score=state.nodes[ROOT].score,
        table=score_table(state),
        nodes=list(state.nodes.values()),
        tests=list(state.tests),
        usage=state.usage,
        wall_time_s=wall_time_s,
        trace=state.model_dump(),
    )


async def search_prompt(
    prompt: str,
    tests: list[Any] | None,
    gateway: Gateway,
    config: PromptSearchConfig | None = None,
    emit: Emit | None = None,
) -> PromptSearchResult:
    """Search variants of `prompt` (the arena's "best variant against the original" column): `tests` are
    strings or {"input", "expected"}; None lets the prompt-engineer write them."""
    watch = Stopwatch()
    state = init_prompt_search(prompt, tests, config)
    state = await PHASES.run(state, gateway, emit)
    return result_of(state, watch.elapsed())


__all__ = [
    "PromptNode",
    "PromptSearchConfig",
    "PromptSearchResult",
    "PromptSearchState",
    "TestInput",
    "evaluate",
    "expand",
    "finish",
    "init_prompt_search",
    "read_tests",
    "result_of",
    "score_table",
    "search_prompt",
    "select",
    "step",
    "write_tests",
]
