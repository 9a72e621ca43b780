"""`reason`: answer a question with a chosen strategy: direct, cot, cot_sc or tot.

Each strategy's loop is unrolled into graph steps (a self-consistency batch, a ToT
expand / evaluate / select round, a DFS step), so every step is a checkpoint: a run
killed mid-search resumes where it stopped, and the trace (votes, the whole tree) lives
in the state.

Personas (`proposer`, `evaluator`, `samplers`): any step may be done by a persona, named as
"tutor" or "tutor@crewai" (`agents.reasoning`): the proposer answers (direct, cot) or writes
the thoughts (tot), the evaluator values the states (tot) or checks each sampled answer
against the concept lab (cot_sc: an answer it refutes leaves the vote), and the samplers draw
the cot_sc samples in turn (the proposer alone when no samplers are named). The default is
the bare model, as the papers run it. Every tree node and vote records its persona and
framework; with persona samplers and an evaluator, `reply` is the best-supported verified
answer with its agreement figure.
"""

from __future__ import annotations

import random
import typing
from typing import Any, Literal, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from pydantic import BaseModel, TypeAdapter, ValidationError

from workflows.context import WorkflowContext
from workflows.events import emitter, instrumented
from workflows.inputs import InvalidInput
from workflows.strategies import cot_sc as sc
from workflows.strategies import tot
from workflows.strategies.config import CoTSCConfig, StrategyConfig, ToTConfig
from workflows.strategies.runner import run_strategy
from workflows.strategies.tasks import Task, TaskSpec, get_task, task_from_spec
from workflows.strategies.tutor_sc import sc_reply

StrategyName = Literal["direct", "cot", "cot_sc", "tot"]
STRATEGIES: list[str] = ["direct", "cot", "cot_sc", "tot"]
_CONFIG: TypeAdapter[StrategyConfig] = TypeAdapter(StrategyConfig)


class ReasonInput(TypedDict, total=False):
    question: str
    task: Literal["generic", "game24", "gsm8k"]
    puzzle: str
    index: int
    answer_key: str
    strategy: StrategyName
    config: dict[str, Any]
    proposer: str
    evaluator: str
    samplers: list[str]


class ReasonState(ReasonInput, total=False):
    task_spec: dict[str, Any]
    strategy_config: dict[str, Any]
    cot_sc: dict[str, Any]
    tot: dict[str, Any]
    answer: str | None
    reply: str
    verified: bool | None
    trace: dict[str, Any]
    usage: dict[str, Any]


def build_task(state: ReasonState) -> Task:
    """The task named in the input; a bare question is a generic task."""
    name = state.get("task") or "generic"
    params: dict[str, Any] = {}
    if name == "game24":
        params = {"puzzle": state["puzzle"]} if state.get("puzzle") else {"index": state.get("index", 900)}
    elif name == "gsm8k":
        if state.get("question") and state.get("answer_key"):
            params = {"question": state["question"], "answer": state["answer_key"]}
        else:
            params = {"index": state.get("index", 0)}
    else:
        if not (state.get("question") or "").strip():
            raise ValueError("the reason workflow needs a 'question' (or task 'game24' / 'gsm8k')")
        params = {"question": state["question"]}
    return get_task(name, **params)


def persona_options(state: ReasonState, strategy: str) -> dict[str, Any]:
    """The input's persona options as the strategy's config fields (those that do not apply are ignored)."""
    proposer, evaluator, samplers = state.get("proposer"), state.get("evaluator"), state.get("samplers")
    found: dict[str, Any] = {}
    if strategy == "cot_sc":
        if samplers:
            found["samplers"] = list(samplers)
        elif proposer:
            found["samplers"] = [proposer]
        if evaluator:
            found["evaluator"] = evaluator
    elif strategy == "tot":
        found.update({k: v for k, v in (("proposer", proposer), ("evaluator", evaluator)) if v})
    elif proposer:
        found["proposer"] = proposer
    return found


def build_config(state: ReasonState) -> StrategyConfig:
    """The strategy's typed config; CLI flags that do not apply to it are ignored."""
    strategy = state.get("strategy") or "direct"
    raw = dict(state.get("config") or {})
    raw.pop("kind", None)
    raw.update(persona_options(state, strategy))
    model: type[BaseModel] | None = CoTSCConfig if strategy == "cot_sc" else ToTConfig if strategy == "tot" else None
    if model is not None:
        cli_only = {"n", "breadth", "depth", "search", "temperature", "verify_steps", "propose_mode"}
        raw = {k: v for k, v in raw.items() if k in model.model_fields or k not in cli_only}
    elif strategy in ("direct", "cot"):
        tot_only = {"n", "breadth", "depth", "search", "verify_steps", "propose_mode"}
        raw = {k: v for k, v in raw.items() if k not in tot_only}
    try:
        return _CONFIG.validate_python({"kind": strategy, **raw})
    except ValidationError as exc:
        problems = "; ".join(f"config.{'.'.join(map(str, e['loc'][1:])) or 'kind'}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"invalid {strategy} config: {problems}") from None


def check_input(value: dict[str, Any]) -> None:
    """What the input schema cannot say: a generic task needs a question; the config must suit the strategy."""
    task = value.get("task") or "generic"
    if task == "generic" and not str(value.get("question") or "").strip():
        raise InvalidInput("question", "the reason workflow needs a 'question' (or task 'game24' / 'gsm8k')")
    for key in ("proposer", "evaluator"):
        if value.get(key):
            _check_persona(key, value[key])
    for i, sampler in enumerate(value.get("samplers") or []):
        _check_persona(f"samplers[{i}]", sampler)
    if value.get("strategy") and value.get("config") is not None:
        try:
            build_config(typing.cast(ReasonState, value))
        except ValueError as exc:
            raise InvalidInput("config", str(exc)) from None


def _check_persona(field: str, name: Any) -> None:
    from agents.reasoning import persona_ref

    try:
        persona_ref(str(name))
    except ValueError as exc:
        raise InvalidInput(field, str(exc)) from None


@instrumented("setup")
async def setup(state: ReasonState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    defaults = runtime.context
    state = {
        **state,
        "strategy": state.get("strategy") or defaults.strategy or "direct",  # type: ignore[typeddict-item]
        "config": {**defaults.strategy_config, **(state.get("config") or {})},
    }
    task = build_task(state)
    config = build_config(state)
    update: dict[str, Any] = {
        "strategy": state["strategy"],
        "task_spec": task.spec.model_dump(),
        "strategy_config": config.model_dump(),
        "question": task.question,
    }
    if isinstance(config, CoTSCConfig):
        update["cot_sc"] = sc.init_cot_sc(task.question, config, task).model_dump()
    elif isinstance(config, ToTConfig):
        update["tot"] = tot.init_tot(task, config).model_dump()
    return update


def _task(state: ReasonState) -> Task:
    return task_from_spec(TaskSpec.model_validate(state["task_spec"]))


@instrumented("single")
async def single(state: ReasonState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    """direct and cot: one model call."""
    config = _CONFIG.validate_python(state["strategy_config"])
    result = await run_strategy(_task(state), runtime.context.gateway, config, emitter("single"))
    return {
        "answer": result.answer,
        "verified": result.verified,
        "trace": {**result.trace, "raw": result.raw},
        "usage": result.usage.model_dump(),
    }


@instrumented("sample")
async def sample(state: ReasonState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    """One self-consistency batch: draw the fewest samples that could settle the vote."""
    current = sc.CoTSCState.model_validate(state["cot_sc"])
    task = _task(state)
    drawn = await sc.draw_samples(
        sc.plan_batch(current),
        current.question,
        current.config,
        runtime.context.gateway,
        task=task,
        fail_if_all=sc.nothing_succeeded(current),
    )
    current = sc.tally(current, drawn, emitter("sample"))
    return {"cot_sc": current.model_dump()}


@instrumented("vote")
async def vote(state: ReasonState) -> dict[str, Any]:
    current = sc.CoTSCState.model_validate(state["cot_sc"])
    task = _task(state)
    winner = sc.winning_sample(current)
    answer = winner.answer if winner else None
    summary = sc.vote_summary(current)
    summary["prompt_tokens_per_sample"] = [s.prompt_tokens for s in current.samples if not s.failed]
    update = {"answer": answer, "verified": task.verify(answer), "trace": summary, "usage": current.usage.model_dump()}
    if current.config.samplers and current.config.evaluator:
        update["reply"] = sc_reply(current)
    return update


@instrumented("expand")
async def expand(state: ReasonState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    current = tot.ToTState.model_validate(state["tot"])
    current = await tot.expand(current, _task(state), runtime.context.gateway, emitter("expand"))
    return {"tot": current.model_dump()}


@instrumented("evaluate")
async def evaluate(state: ReasonState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    current = tot.ToTState.model_validate(state["tot"])
    current = await tot.evaluate(current, _task(state), runtime.context.gateway, emitter("evaluate"))
    return {"tot": current.model_dump()}


@instrumented("select")
async def select(state: ReasonState) -> dict[str, Any]:
    current = tot.ToTState.model_validate(state["tot"])
    rng = random.Random(f"{current.config.seed}:{current.step}")  # replayable after a resume
    current = tot.select(current, emitter("select"), rng)
    return {"tot": current.model_dump()}


@instrumented("dfs")
async def dfs(state: ReasonState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    current = tot.ToTState.model_validate(state["tot"])
    current = await tot.dfs_step(current, _task(state), runtime.context.gateway, emitter("dfs"))
    return {"tot": current.model_dump()}


@instrumented("finish")
async def finish(state: ReasonState) -> dict[str, Any]:
    current = tot.finish(tot.ToTState.model_validate(state["tot"]), _task(state), emitter("finish"))
    return {
        "tot": current.model_dump(),
        "answer": current.answer,
        "verified": current.verified,
        "trace": {
            "best_id": current.best_id,
            "nodes": len(current.nodes),
            "pruned_invalid": current.pruned_invalid,
            "stop_reason": current.stop_reason,
        },
        "usage": current.usage.model_dump(),
    }


def after_setup(state: ReasonState) -> str:
    strategy = state.get("strategy") or "direct"
    if strategy == "cot_sc":
        return "sample"
    if strategy == "tot":
        return "dfs" if state["tot"]["config"]["search"] == "dfs" else "expand"
    return "single"


def after_sample(state: ReasonState) -> str:
    return "vote" if state["cot_sc"]["done"] else "sample"


def after_select(state: ReasonState) -> str:
    return "finish" if state["tot"]["done"] else "expand"


def after_dfs(state: ReasonState) -> str:
    return "finish" if state["tot"]["done"] else "dfs"


def build() -> StateGraph[Any, Any, Any, Any]:
    graph = StateGraph(ReasonState, context_schema=WorkflowContext, input_schema=ReasonInput)
    graph.add_node("setup", setup)
    graph.add_node("single", single)
    graph.add_node("sample", sample)
    graph.add_node("vote", vote)
    graph.add_node("expand", expand)
    graph.add_node("evaluate", evaluate)
    graph.add_node("select", select)
    graph.add_node("dfs", dfs)
    graph.add_node("finish", finish)
    graph.add_edge(START, "setup")
    graph.add_conditional_edges("setup", after_setup, ["single", "sample", "expand", "dfs"])
    graph.add_edge("single", END)
    graph.add_conditional_edges("sample", after_sample, ["sample", "vote"])
    graph.add_edge("vote", END)
    graph.add_edge("expand", "evaluate")
    graph.add_edge("evaluate", "select")
    graph.add_conditional_edges("select", after_select, ["expand", "finish"])
    graph.add_conditional_edges("dfs", after_dfs, ["dfs", "finish"])
    graph.add_edge("finish", END)
    return graph
