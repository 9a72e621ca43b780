"""`code`: write, run (sandboxed) and review code, by the AutoGen coding team or by tree search.

- strategy "team" (the default): the coder, a sandbox executor and the evaluator take turns
  until the evaluator approves (`agents.autogen_adapter.teams`).
- strategy "tree": the coder proposes candidates, the sandbox runs each against the visible
  `tests` and tests the evaluator writes from the task, the evaluator reviews them, BFS keeps
  the best and the coder refines them until the tests pass or the depth runs out
  (`workflows.strategies.code_tree`). Each phase is a graph step, so a killed run resumes
  where it stopped; `coder` (or `proposer`) and `evaluator` name the personas ("coder@crewai"), `config` the
  search (k, breadth, depth, refinements, evaluator_tests, review, ...).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from langgraph.graph import StateGraph
from langgraph.runtime import Runtime
from pydantic import ValidationError

from workflows.context import WorkflowContext
from workflows.events import emitter, instrumented
from workflows.graphs.phased import add_search, config_field
from workflows.inputs import InvalidInput
from workflows.strategies import code_tree as ct


class CodeInput(TypedDict, total=False):
    task: str
    max_messages: int
    timeout_s: float
    strategy: Literal["team", "tree"]
    tests: list[str]
    entry_point: str
    coder: str
    proposer: str
    evaluator: str
    config: dict[str, Any]


class CodeState(CodeInput, total=False):
    final_code: str
    test_output: str
    exit_code: int | None
    verdict: str
    score: float | None
    evaluator_feedback: str
    messages: list[dict[str, Any]]
    stop_reason: str
    answer: str
    tree: dict[str, Any]
    trace: dict[str, Any]
    usage: dict[str, Any]


def tree_config(value: dict[str, Any]) -> ct.CodeTreeConfig:
    """The search's config: `config`, with the `coder` and `evaluator` inputs over it."""
    raw = dict(value.get("config") or {})
    raw.pop("kind", None)
    if value.get("proposer") and not value.get("coder"):  # the name every workflow takes for who proposes
        raw["coder"] = value["proposer"]
    for key in ("coder", "evaluator"):
        if value.get(key):
            raw[key] = value[key]
    return ct.CodeTreeConfig.model_validate(raw)


def init_tree(value: dict[str, Any]) -> ct.CodeTreeState:
    task = (value.get("task") or "").strip()
    if not task:
        raise ValueError("the code workflow needs a non-empty 'task'")
    return ct.init_code_tree(
        task, tests=list(value.get("tests") or []), entry_point=value.get("entry_point"), config=tree_config(value)
    )


def check_input(value: dict[str, Any]) -> None:
    """A tree search needs a task, something to test and a valid config; refused before the run."""
    if (value.get("strategy") or "team") != "tree":
        return
    if not str(value.get("task") or "").strip():
        raise InvalidInput("task", "the code workflow needs a non-empty 'task'")
    try:
        tree_config(value)
    except ValidationError as exc:
        raise config_field(exc, value, ("coder", "evaluator")) from None
    try:
        init_tree(value)
    except ValueError as exc:
        raise InvalidInput("tests", str(exc)) from None


def route(state: CodeState) -> str:
    return "setup" if (state.get("strategy") or "team") == "tree" else "solve"


@instrumented("solve")
async def solve(state: CodeState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    from agents.autogen_adapter.teams import run_coding_team

    task = (state.get("task") or "").strip()
    if not task:
        raise ValueError("the code workflow needs a non-empty 'task'")
    result = await run_coding_team(
        task,
        runtime.context.gateway,
        max_messages=int(state.get("max_messages") or 12),
        timeout_s=float(state.get("timeout_s") or 600),
        on_event=emitter("solve"),
    )
    return {
        "final_code": result.final_code,
        "test_output": result.test_output,
        "exit_code": result.exit_code,
        "verdict": result.verdict,
        "score": result.score,
        "evaluator_feedback": result.evaluator_feedback,
        "messages": [dict(m) for m in result.messages],
        "stop_reason": result.stop_reason,
        "answer": result.final_code,
    }


@instrumented("setup")
async def setup(state: CodeState) -> dict[str, Any]:
    return {"strategy": "tree", "tree": init_tree(dict(state)).model_dump()}


def tests_report(node: ct.CodeNode | None) -> str:
    """Each test of the answer and how it fared, one line each."""
    if node is None:
        return "no candidate program"
    lines = [f"{node.passed} of {node.total} tests passed"]
    lines += [f"{o['status']}: {o['source']}" + (f"  ({o['detail']})" if o["detail"] else "") for o in node.outcomes]
    return "\n".join(lines)


@instrumented("finish")
async def finish(state: CodeState) -> dict[str, Any]:
    current = ct.finish(ct.CodeTreeState.model_validate(state["tree"]), emitter("finish"))
    best = current.nodes.get(current.best_id or "")
    review = best.review if best and best.review else ""
    return {
        "tree": current.model_dump(),
        "final_code": current.answer or "",
        "answer": current.answer or "",
        "test_output": tests_report(best),
        "exit_code": None,
        "verdict": "passed" if current.passed else "failed",
        "score": round(10 * ct.pass_rate(best), 2) if best else None,
        "evaluator_feedback": review,
        "stop_reason": current.stop_reason or "",
        "trace": {
            "best_id": current.best_id,
            "nodes": len(current.nodes) - 1,
            "tests": [t["source"] for t in current.tests],
            "rejected_tests": current.rejected_tests,
            "persona": best.persona if best else None,
            "framework": best.framework if best else None,
        },
        "usage": current.usage.model_dump(),
    }


def build() -> StateGraph[Any, Any, Any, Any]:
    graph = StateGraph(CodeState, context_schema=WorkflowContext, input_schema=CodeInput)
    return add_search(graph, key="tree", model=ct.CodeTreeState, step=ct.step, route=route, plain=("solve", solve),
                      setup=setup, finish=finish)
