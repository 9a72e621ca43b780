"""`eval`: run a benchmark suite over columns (reference, strategies, agents) as a durable, resumable run.

`setup` fixes the spec, columns, models and item order; `prompts` runs each prompt_search
column's search once, on training items outside the evaluated ones, and fixes the variant the
column applies (a checkpointed step: a resumed run does not search again); then every unfinished item is its
own `item` step, ONE item for every column, all of them `Send`s of one superstep of which
at most `workers` run at once (in suite order). LangGraph saves each item step's result the
moment it ends (a pending write of that superstep), so a run killed or failed mid-suite
resumes on the same thread (`thinkroom eval run --resume RUN_ID`, `thinkroom runs resume`,
or the runs API) and runs only the items without a saved result. One superstep rather than
a loop of them keeps the checkpoint database linear in the suite: SQLite checkpoints store
the whole state each time, so a checkpoint per item would write O(n²) bytes (hundreds of MB
for the 1,319 GSM8K items). Each finished item streams an `eval.item` event with its
verdicts and every column's running accuracy. `finish` leaves the `EvalResult`
(workflows.evals.schema) in `result` and a one-line digest in `answer`.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.config import get_config
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Send
from pydantic import ValidationError

from agents.evals.suites import SuiteItem, SuiteUnavailable, select
from agents.grading import gateway_judge
from tools.evals.jsonl import SuiteErrors
from workflows.context import WorkflowContext
from workflows.evals.columns import run_column
from workflows.evals.models import resolve_models, thinkroom_version
from workflows.evals.prompts import search_column_prompt, training_items
from workflows.evals.schema import (
    PROMPT_STRATEGIES,
    ColumnSpec,
    EvalResult,
    EvalSpec,
    ItemResult,
    ModelRef,
    PromptFound,
)
from workflows.evals.summary import pairwise_mcnemar, summarize_column
from workflows.events import emit, emitter, instrumented
from workflows.graphs.item_steps import RESET, ItemRun, busy_seconds, cached_suite, forget_run, item_run, merge_items
from workflows.inputs import InvalidInput


class EvalInput(TypedDict, total=False):
    """The run's input: an EvalSpec's fields (see workflows.evals.schema.EvalSpec)."""

    suite: Literal["humaneval", "gsm8k", "game24", "quiz", "jsonl"]
    suite_path: str | None
    suite_text: str | None
    strategies: list[Literal["direct", "cot", "cot_sc", "tot", "code_tree", "tutor_sc", "prompt", "prompt_search"]]
    models: list[str]
    agent: str | None
    reference: bool
    limit: int | None
    offset: int
    samples: int
    seed: int
    workers: int
    timeout_s: float
    prompt: str | None
    train: int


class EvalState(EvalInput, total=False):
    spec: dict[str, Any]
    columns: list[dict[str, Any]]
    models_used: list[dict[str, Any]]
    item_ids: list[str]
    prompts: list[dict[str, Any]]
    results: Annotated[dict[str, dict[str, Any]], merge_items]
    timing: Annotated[dict[str, list[float]], merge_items]
    result: dict[str, Any]
    answer: str


class ItemTask(TypedDict):
    """What one `item` step receives (a Send payload, not the whole state).

    It carries its own item rather than the suite, so a user suite's text is stored once, not per item.
    """

    spec: dict[str, Any]
    columns: list[dict[str, Any]]
    position: int
    total: int
    item: dict[str, Any]


# --------------------------------------------------------------------------- the spec and its items


def selected_items(spec: EvalSpec) -> list[SuiteItem]:
    """The items the spec selects (suites load once per process)."""
    items = list(cached_suite(spec.suite, spec.suite_text, spec.suite_path or "suite"))
    return select(items, spec.suite, spec.offset, spec.limit)


def prompt_training_items(spec: EvalSpec) -> list[SuiteItem]:
    """The items a prompt_search column searches on: none of them is evaluated."""
    suite = list(cached_suite(spec.suite, spec.suite_text, spec.suite_path or "suite"))
    return training_items(suite, selected_items(spec), spec.train)


def parse_spec(value: dict[str, Any]) -> EvalSpec:
    """The spec in a run's input; InvalidInput (naming the field) for one that cannot run."""
    fields = {k: v for k, v in value.items() if k in EvalSpec.model_fields}
    try:
        spec = EvalSpec.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(".".join(str(p) for p in first["loc"]), str(first["msg"])) from None
    try:
        items = selected_items(spec)
    except SuiteErrors as exc:
        raise InvalidInput("suite_text", str(exc)) from None
    except SuiteUnavailable as exc:
        raise InvalidInput("suite", str(exc)) from None
    if not items:
        total = len(cached_suite(spec.suite, spec.suite_text, spec.suite_path or "suite"))
        raise InvalidInput("offset", f"selects no items (the {spec.suite} suite has {total} from its start)")
    check_columns(spec, items)
    return spec


def check_columns(spec: EvalSpec, items: list[SuiteItem]) -> None:
    """Columns that cannot answer these items are refused before the run starts."""
    from agents.personas import PERSONAS

    if spec.agent is not None and spec.agent not in PERSONAS:
        raise InvalidInput("agent", f"unknown agent {spec.agent!r}; choose one of {', '.join(PERSONAS)}")
    code = any(i.kind == "code" for i in items)
    text_only = [s for s in spec.strategies if s not in ("direct", "code_tree")]
    if code and text_only:
        raise InvalidInput(
            "strategies", f"code items take direct, code_tree or an agent, not {', '.join(text_only)}"
        )
    if "code_tree" in spec.strategies and not all(i.kind == "code" for i in items):
        raise InvalidInput("strategies", "code_tree answers code items only: this suite has other items")
    prompted = [s for s in spec.strategies if s in PROMPT_STRATEGIES]
    if prompted and not all(i.kind in ("gsm8k", "qa") for i in items):
        raise InvalidInput("strategies", f"{', '.join(prompted)} need question-and-answer items, not code")
    if "prompt_search" in spec.strategies:
        try:
            prompt_training_items(spec)
        except ValueError as exc:
            raise InvalidInput("train", str(exc)) from None
    if spec.reference:
        missing = [i.data.get("line", i.id) for i in items if i.kind == "code" and i.expected is None]
        if missing:
            lines = ", ".join(str(m) for m in missing[:10])
            message = f"the reference column needs a 'solution' on every code line; missing on line {lines}"
            raise InvalidInput("reference", message)


def check_input(value: dict[str, Any]) -> None:
    parse_spec(value)


# --------------------------------------------------------------------------- nodes


@instrumented("setup")
async def setup(state: EvalState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    """Fix the spec, the columns, the models (with digests) and the item order for the whole run."""
    spec = parse_spec(dict(state))
    gateway = runtime.context.gateway
    needs_model = bool(spec.strategies or spec.agent)
    names = spec.models or ([gateway.default_model] if needs_model else [])
    models = await resolve_models(gateway, names) if needs_model else []
    columns = spec.column_specs(gateway.default_model)
    items = selected_items(spec)
    emit("eval.start", node="setup", suite=spec.suite, total=len(items), columns=[c.id for c in columns])
    return {
        "spec": spec.model_dump(),
        "columns": [c.model_dump() for c in columns],
        "models_used": [m.model_dump() for m in models],
        "item_ids": [i.id for i in items],
        "results": {RESET: True},  # a new run on a used thread must not inherit its items
        "timing": {RESET: True},
    }


@instrumented("prompts")
async def prompts(state: EvalState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    """Search each prompt_search column's prompt once, on the training items; the column then applies it."""
    spec = EvalSpec.model_validate(state["spec"])
    columns = [ColumnSpec.model_validate(c) for c in state["columns"]]
    searched = [c for c in columns if c.strategy == "prompt_search"]
    if not searched:
        return {"prompts": []}
    train = prompt_training_items(spec)
    found: list[PromptFound] = []
    for column in searched:
        emit("eval.prompt_search", node="prompts", column=column.id, train=[i.id for i in train], status="running")
        result = await search_column_prompt(column, spec, train, runtime.context.gateway, emitter("prompts"))
        column.prompt = result.prompt
        found.append(result)
        emit("eval.prompt_search", node="prompts", status="done", **result.model_dump())
    return {"columns": [c.model_dump() for c in columns], "prompts": [f.model_dump() for f in found]}


def dispatch(state: EvalState) -> list[Send] | str:
    """Every unfinished item as its own `item` step of one superstep (at most `workers` run at once)."""
    done = state.get("results") or {}
    spec = EvalSpec.model_validate(state["spec"])
    items = selected_items(spec)
    pending = [k for k, suite_item in enumerate(items) if suite_item.id not in done]
    if not pending:
        return "finish"
    payload = {"spec": spec.model_dump(exclude={"suite_text"}), "columns": state["columns"], "total": len(items)}
    return [Send("item", {**payload, "position": k, "item": asdict(items[k])}) for k in pending]


def _announce(run: ItemRun, result: ItemResult, total: int) -> None:
    """Stream `eval.item`: this item's verdicts, and each column's accuracy over the items this process finished.

    That is the whole run's running accuracy, except when another process resumed the run: then
    it counts from the resumption (the CLI seeds its bar from the run's checkpoint and stays exact).
    """
    run.done += 1
    for column_id, output in result.outputs.items():
        counts = run.tallies.setdefault(column_id, [0, 0])
        counts[0] += output.correct
        counts[1] += 1
    emit(
        "eval.item",
        node="item",
        id=result.id,
        index=result.index,
        done=run.done,
        total=total,
        correct={cid: o.correct for cid, o in result.outputs.items()},
        errors={cid: o.error for cid, o in result.outputs.items() if o.error},
        accuracy={cid: (c / n if n else 0.0) for cid, (c, n) in run.tallies.items()},
    )


async def item(task: ItemTask, *, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    """Evaluate one item for every column; LangGraph saves its result as soon as this step ends."""
    spec = EvalSpec.model_construct(**task["spec"])  # validated by setup; a user suite's text is not carried
    run = item_run(get_config(), spec.workers)
    async with run.slots:
        started = time.time()
        suite_item = SuiteItem(**task["item"])
        gateway = runtime.context.gateway
        judge = gateway_judge(gateway) if suite_item.kind == "quiz" else None
        outputs = {}
        for raw in task["columns"]:
            column = ColumnSpec.model_validate(raw)
            outputs[column.id] = await run_column(column, suite_item, spec, gateway, judge)
        result = ItemResult(
            index=suite_item.index, id=suite_item.id, input=suite_item.input, expected=None, outputs=outputs
        )
        _announce(run, result, task["total"])
        stored = result.model_dump(exclude={"input", "expected"})  # re-read from the suite: the checkpoint stays small
        return {"results": {suite_item.id: stored}, "timing": {suite_item.id: [started, time.time()]}}


def build_result(state: EvalState) -> EvalResult:
    """The EvalResult of the items finished so far (all of them once the run ends)."""
    spec = EvalSpec.model_validate(state["spec"])
    columns = [ColumnSpec.model_validate(c) for c in state["columns"]]
    suite = {i.id: i for i in selected_items(spec)}
    results = state.get("results") or {}
    items = []
    for item_id in state["item_ids"]:
        if item_id in results:
            source = suite[item_id]
            expected = source.data.get("number") if source.kind == "gsm8k" else source.expected
            items.append(ItemResult.model_validate({**results[item_id], "input": source.input, "expected": expected}))
    return EvalResult(
        spec=spec,
        thinkroom_version=thinkroom_version(),
        models=[ModelRef.model_validate(m) for m in state.get("models_used") or []],
        columns=[summarize_column(c, items) for c in columns],
        items=items,
        mcnemar=pairwise_mcnemar(columns, items),
        prompts=[PromptFound.model_validate(p) for p in state.get("prompts") or []],
        total_items=len(state["item_ids"]),
        wall_seconds=round(busy_seconds(list((state.get("timing") or {}).values())), 4),
    )


def summary_line(result: EvalResult) -> str:
    parts = []
    for c in result.columns:
        text = f"{c.id} {c.correct}/{c.items} = {c.accuracy:.3f} [{c.wilson95.low:.3f}, {c.wilson95.high:.3f}]"
        if c.pass_at_k:
            text += " " + " ".join(f"{k}={v:.3f}" for k, v in c.pass_at_k.items())
        parts.append(text)
    return f"{result.spec.suite}, {len(result.items)} items: " + "; ".join(parts)


@instrumented("finish")
async def finish(state: EvalState, config: RunnableConfig) -> dict[str, Any]:
    forget_run(config)
    result = build_result(state)
    emit("eval.done", node="finish", summary=summary_line(result))
    return {"result": result.model_dump(mode="json"), "answer": summary_line(result)}


def build() -> StateGraph[Any, Any, Any, Any]:
    graph = StateGraph(EvalState, context_schema=WorkflowContext, input_schema=EvalInput)
    graph.add_node("setup", setup)
    graph.add_node("prompts", prompts)
    graph.add_node("item", item, input_schema=ItemTask)  # type: ignore[call-overload, arg-type]  # the Send payload
    graph.add_node("finish", finish)
    graph.add_edge(START, "setup")
    graph.add_edge("setup", "prompts")
    graph.add_conditional_edges("prompts", dispatch, ["item", "finish"])
    graph.add_edge("item", "finish")  # the superstep of items ends when every item has
    graph.add_edge("finish", END)
    return graph


__all__ = ["EvalInput", "EvalState", "build", "build_result", "check_input", "parse_spec", "selected_items"]
