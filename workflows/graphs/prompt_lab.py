"""`prompt_lab`: the prompt-engineer rewrites a prompt and the evaluator compares the answers."""

from __future__ import annotations

from typing import Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from workflows.context import WorkflowContext
from workflows.events import emitter, instrumented


class PromptLabInput(TypedDict, total=False):
    prompt: str
    task_input: str | None


class PromptLabState(PromptLabInput, total=False):
    rewritten_prompt: str
    tricks_applied: list[dict[str, str]]
    original_answer: str
    rewritten_answer: str
    verdict: dict[str, Any]
    answer: str


@instrumented("improve")
async def improve(state: PromptLabState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    from agents.crewai_adapter.teams import run_prompt_lab

    prompt = (state.get("prompt") or "").strip()
    if not prompt:
        raise ValueError("the prompt_lab workflow needs a non-empty 'prompt'")
    result = await run_prompt_lab(prompt, state.get("task_input"), runtime.context.gateway, on_event=emitter("improve"))
    return {
        "rewritten_prompt": result.rewritten_prompt,
        "tricks_applied": [t.model_dump() for t in result.tricks_applied],
        "original_answer": result.original_answer,
        "rewritten_answer": result.rewritten_answer,
        "verdict": result.verdict.model_dump(),
        "answer": result.rewritten_prompt,
    }


def build() -> StateGraph[Any, Any, Any, Any]:
    graph = StateGraph(PromptLabState, context_schema=WorkflowContext, input_schema=PromptLabInput)
    graph.add_node("improve", improve)
    graph.add_edge(START, "improve")
    graph.add_edge("improve", END)
    return graph
