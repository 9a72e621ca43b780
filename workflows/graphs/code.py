"""`code`: the AutoGen coding team solves a task; the graph records code, test output and verdict."""

from __future__ import annotations

from typing import Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from workflows.context import WorkflowContext
from workflows.events import emitter, instrumented


class CodeInput(TypedDict, total=False):
    task: str
    max_messages: int
    timeout_s: float


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


def build() -> StateGraph[Any, Any, Any, Any]:
    graph = StateGraph(CodeState, context_schema=WorkflowContext, input_schema=CodeInput)
    graph.add_node("solve", solve)
    graph.add_edge(START, "solve")
    graph.add_edge("solve", END)
    return graph
