"""`arena`: a blind pairwise comparison of models or agents on the same prompts, as a durable, resumable run.

`setup` fixes the spec, the contestants (each model with its digest), the judge and the
item order. Then every unfinished prompt is its own `item` step, all of them `Send`s of one
superstep of which at most `workers` run at once, as in the `eval` graph and for the same
reasons: LangGraph saves each step's result the moment it ends, so an arena killed mid-way
resumes on its thread and answers only the prompts without a saved result, and the
checkpoints stay linear in the number of prompts. In an item step every contestant
answers, then every pair is judged blind (`workflows.arena.judging`); an `arena.item` event
streams the pairs' winners and each contestant's running record. `finish` rates the
contestants from the judge's outcomes (Bradley–Terry with bootstrap intervals) and leaves
the `ArenaResult` in `result` and a one-line digest in `answer`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict
from itertools import combinations
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.config import get_config
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Send
from pydantic import ValidationError

from agents.evals.suites import SuiteItem, SuiteUnavailable, select
from tools.evals.jsonl import SuiteErrors
from tools.evals.ratings import BOOTSTRAP_ROUNDS
from workflows.arena.contestants import answer, parse_contestants, verifiable
from workflows.arena.judging import blind_order, judge_pair, judge_ref
from workflows.arena.schema import ArenaItem, ArenaResult, ArenaSpec, Contestant, JudgeRef, Pair
from workflows.arena.summary import SCORES, counts, judge_outcomes, ratings_view, summary_line
from workflows.context import WorkflowContext
from workflows.evals.models import resolve_models, thinkroom_version
from workflows.evals.schema import ModelRef
from workflows.events import emit, instrumented
from workflows.graphs.item_steps import RESET, ItemRun, busy_seconds, cached_suite, forget_run, item_run, merge_items
from workflows.inputs import InvalidInput

#: Placeholder default model while checking a spec without a gateway (setup uses the real one).
UNRESOLVED = "default"


class ArenaInput(TypedDict, total=False):
    """The run's input: an ArenaSpec's fields (see workflows.arena.schema.ArenaSpec)."""

    suite: Literal["humaneval", "gsm8k", "game24", "quiz", "jsonl"] | None
    suite_path: str | None
    suite_text: str | None
    prompts: list[str]
    limit: int | None
    offset: int
    contestants: list[str]
    judge: str
    judge_model: str | None
    critique: bool
    both_orders: bool
    seed: int
    workers: int
    max_tokens: int
    timeout_s: float


class ArenaState(ArenaInput, total=False):
    spec: dict[str, Any]
    resolved: list[dict[str, Any]]
    judged_by: dict[str, Any]
    models_used: list[dict[str, Any]]
    item_ids: list[str]
    results: Annotated[dict[str, dict[str, Any]], merge_items]
    timing: Annotated[dict[str, list[float]], merge_items]
    result: dict[str, Any]
    answer: str


class ItemTask(TypedDict):
    """What one `item` step receives (a Send payload): its own item, not the suite."""

    spec: dict[str, Any]
    contestants: list[dict[str, Any]]
    judge: dict[str, Any]
    total: int
    item: dict[str, Any]


# --------------------------------------------------------------------------- the spec and its items


def selected_items(spec: ArenaSpec) -> list[SuiteItem]:
    """The prompts the spec selects: the suite's (loaded once per process), or the inline ones."""
    if spec.suite is None:
        inline = [SuiteItem(i, f"prompt/{i}", "qa", text, None) for i, text in enumerate(spec.prompts)]
        return inline[spec.offset : None if spec.limit is None else spec.offset + spec.limit]
    items = list(cached_suite(spec.suite, spec.suite_text, spec.suite_path or "suite"))
    return select(items, spec.suite, spec.offset, spec.limit)


def parse_spec(value: dict[str, Any]) -> ArenaSpec:
    """The spec in a run's input; InvalidInput (naming the field) for one that cannot run."""
    fields = {k: v for k, v in value.items() if k in ArenaSpec.model_fields}
    try:
        spec = ArenaSpec.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(".".join(str(p) for p in first["loc"]) or "input", str(first["msg"])) from None
    try:
        items = selected_items(spec)
    except SuiteErrors as exc:
        raise InvalidInput("suite_text", str(exc)) from None
    except SuiteUnavailable as exc:
        raise InvalidInput("suite", str(exc)) from None
    if not items:
        raise InvalidInput("offset", "selects no prompts")
    try:
        parse_contestants(spec.contestants, UNRESOLVED)
    except ValueError as exc:
        raise InvalidInput("contestants", str(exc)) from None
    try:
        judge_ref(spec.judge, UNRESOLVED)
    except ValueError as exc:
        raise InvalidInput("judge", str(exc)) from None
    return spec


def check_input(value: dict[str, Any]) -> None:
    parse_spec(value)


# --------------------------------------------------------------------------- nodes


@instrumented("setup")
async def setup(state: ArenaState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    """Fix the spec, the contestants and judge on their models (with digests) and the prompt order."""
    spec = parse_spec(dict(state))
    gateway = runtime.context.gateway
    contestants = parse_contestants(spec.contestants, gateway.default_model)
    judge = judge_ref(spec.judge, spec.judge_model or gateway.default_model)
    names = list(dict.fromkeys([c.model for c in contestants] + [judge.model]))
    models = await resolve_models(gateway, names)  # ModelNotFound before any prompt is answered
    items = selected_items(spec)
    emit("arena.start", node="setup", source=spec.suite or "prompts", total=len(items),
         contestants=[c.id for c in contestants], judge=judge.model_dump())
    return {
        "spec": spec.model_dump(),
        "resolved": [c.model_dump() for c in contestants],
        "judged_by": judge.model_dump(),
        "models_used": [m.model_dump() for m in models],
        "item_ids": [i.id for i in items],
        "results": {RESET: True},  # a new run on a used thread must not inherit its items
        "timing": {RESET: True},
    }


def dispatch(state: ArenaState) -> list[Send] | str:
    """Every unfinished prompt as its own `item` step of one superstep (at most `workers` run at once)."""
    done = state.get("results") or {}
    spec = ArenaSpec.model_validate(state["spec"])
    items = selected_items(spec)
    pending = [i for i in items if i.id not in done]
    if not pending:
        return "finish"
    # each step carries its own prompt, not the suite or the inline prompts: stored once, not once per prompt
    payload = {"spec": spec.model_dump(exclude={"suite_text", "prompts"}), "contestants": state["resolved"],
               "judge": state["judged_by"], "total": len(items)}
    return [Send("item", {**payload, "item": asdict(i)}) for i in pending]


def _announce(run: ItemRun, item: ArenaItem, total: int) -> None:
    """Stream `arena.item`: its pairs' winners and each contestant's (wins, losses, ties) so far in this process."""
    run.done += 1
    for pair in item.pairs:
        if pair.winner is None:
            continue
        score = SCORES[pair.winner]
        for who, mine in ((pair.a, score), (pair.b, 1.0 - score)):
            tally = run.tallies.setdefault(who, [0, 0, 0])
            tally[0 if mine == 1.0 else 1 if mine == 0.0 else 2] += 1
    emit(
        "arena.item", node="item", id=item.id, index=item.index, done=run.done, total=total,
        pairs=[{"pair_id": p.pair_id, "a": p.a, "b": p.b, "winner": p.winner, "by": p.judgement.by,
                "method": p.judgement.method} for p in item.pairs],
        errors={cid: a.error for cid, a in item.answers.items() if a.error},
        record={cid: list(t) for cid, t in run.tallies.items()},
    )


async def item(task: ItemTask, *, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    """Every contestant answers one prompt, then every pair is judged blind; saved as soon as the step ends."""
    spec = ArenaSpec.model_construct(**task["spec"])  # validated by setup; without the suite text and prompts
    run = item_run(get_config(), spec.workers)
    async with run.slots:
        started = time.time()
        suite_item = SuiteItem(**task["item"])
        gateway = runtime.context.gateway
        contestants = [Contestant.model_validate(c) for c in task["contestants"]]
        judge = JudgeRef.model_validate(task["judge"])
        answers = {c.id: await answer(c, suite_item, spec, gateway, judge.model) for c in contestants}
        checkable = verifiable(suite_item)
        pairs = []
        for k, (x, y) in enumerate(combinations(contestants, 2)):
            a, b = blind_order(spec.seed, suite_item.id, x.id, y.id)
            winner, judgement = await judge_pair(suite_item, answers[a], answers[b], judge, gateway, seed=spec.seed,
                                                 critique=spec.critique, checkable=checkable,
                                                 both_orders=spec.both_orders)
            pairs.append(Pair(pair_id=f"{suite_item.id}:{k}", a=a, b=b, winner=winner, judgement=judgement))
        result = ArenaItem(index=suite_item.index, id=suite_item.id, kind=suite_item.kind, answers=answers, pairs=pairs)
        _announce(run, result, task["total"])
        stored = result.model_dump(exclude={"input", "expected"})  # re-read from the suite: the checkpoint stays small
        return {"results": {suite_item.id: stored}, "timing": {suite_item.id: [started, time.time()]}}


def expected_of(suite_item: SuiteItem) -> str | None:
    """What a person is shown as the known answer: GSM8K's number, not its worked solution; none for code."""
    if suite_item.kind == "gsm8k":
        return str(suite_item.data.get("number"))
    return None if suite_item.kind == "code" else suite_item.expected


def build_result(state: ArenaState, rounds: int = BOOTSTRAP_ROUNDS) -> ArenaResult:
    """The ArenaResult of the prompts finished so far (all of them once the run ends), rated from the judge."""
    spec = ArenaSpec.model_validate(state["spec"])
    suite = {i.id: i for i in selected_items(spec)}
    results = state.get("results") or {}
    items = []
    for item_id in state["item_ids"]:
        if item_id in results:
            source = suite[item_id]
            items.append(ArenaItem.model_validate(
                {**results[item_id], "input": source.input, "expected": expected_of(source)}))
    contestants = [Contestant.model_validate(c) for c in state["resolved"]]
    ratings = ratings_view("judge", [c.id for c in contestants], judge_outcomes(items), seed=spec.seed, rounds=rounds)
    return ArenaResult(
        spec=spec, thinkroom_version=thinkroom_version(),
        models=[ModelRef.model_validate(m) for m in state.get("models_used") or []],
        contestants=contestants, judge=JudgeRef.model_validate(state["judged_by"]), items=items, ratings=ratings,
        total_items=len(state["item_ids"]), **counts(items),
        wall_seconds=round(busy_seconds(list((state.get("timing") or {}).values())), 4),
    )


@instrumented("finish")
async def finish(state: ArenaState, config: RunnableConfig) -> dict[str, Any]:
    forget_run(config)
    result = await asyncio.to_thread(build_result, state)  # the bootstrap refits: off the event loop
    line = summary_line(result)
    emit("arena.done", node="finish", summary=line)
    return {"result": result.model_dump(mode="json"), "answer": line}


def build() -> StateGraph[Any, Any, Any, Any]:
    graph = StateGraph(ArenaState, context_schema=WorkflowContext, input_schema=ArenaInput)
    graph.add_node("setup", setup)
    graph.add_node("item", item, input_schema=ItemTask)  # type: ignore[call-overload, arg-type]  # the Send payload
    graph.add_node("finish", finish)
    graph.add_edge(START, "setup")
    graph.add_conditional_edges("setup", dispatch, ["item", "finish"])
    graph.add_edge("item", "finish")  # the superstep of items ends when every item has
    graph.add_edge("finish", END)
    return graph


__all__ = ["ArenaInput", "ArenaState", "build", "build_result", "check_input", "parse_spec", "selected_items"]
