"""Small graphs the agent-protocol tests serve through THINKROOM_EXTRA_GRAPHS."""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt
from typing_extensions import TypedDict

from agents.llm.types import ChatMessage
from workflows.context import WorkflowContext
from workflows.events import emit, instrumented


class StepsState(TypedDict, total=False):
    topic: str
    delay: float
    steps: Annotated[list[str], operator.add]
    draft: str


@instrumented("draft")
async def draft(state: StepsState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    """Calls the model (scripted in tests) and streams its tokens."""
    pieces = []
    async for chunk in runtime.context.gateway.stream([ChatMessage(role="user", content=state.get("topic", ""))]):
        if chunk.text:
            pieces.append(chunk.text)
            emit("token", node="draft", text=chunk.text)
    return {"steps": ["draft"], "draft": "".join(pieces)}


@instrumented("review")
async def review(state: StepsState) -> dict[str, Any]:
    emit("review.note", node="review", words=len(state.get("draft", "").split()))
    return {"steps": ["review"]}


@instrumented("publish")
async def publish(state: StepsState) -> dict[str, Any]:
    return {"steps": ["publish"]}


def build_steps() -> StateGraph:
    """Three nodes: draft (model tokens), review (a custom event), publish."""
    graph = StateGraph(StepsState, context_schema=WorkflowContext)
    graph.add_node("draft", draft)
    graph.add_node("review", review)
    graph.add_node("publish", publish)
    graph.add_edge(START, "draft")
    graph.add_edge("draft", "review")
    graph.add_edge("review", "publish")
    graph.add_edge("publish", END)
    return graph


class AskState(TypedDict, total=False):
    question: str
    answer: str
    verdict: str


async def ask(state: AskState) -> dict[str, Any]:
    answer = interrupt({"question": state.get("question", "?")})
    return {"answer": str(answer)}


async def grade(state: AskState) -> dict[str, Any]:
    return {"verdict": "correct" if state.get("answer") == "4" else "wrong"}


def build_ask() -> StateGraph:
    """Asks the learner (interrupt) and grades the answer once resumed."""
    graph = StateGraph(AskState)
    graph.add_node("ask", ask)
    graph.add_node("grade", grade)
    graph.add_edge(START, "ask")
    graph.add_edge("ask", "grade")
    graph.add_edge("grade", END)
    return graph


def _sleeper(name: str) -> Any:
    async def node(state: StepsState) -> dict[str, Any]:
        await asyncio.sleep(float(state.get("delay", 0.5)))
        return {"steps": [name]}

    return node


def build_slow() -> StateGraph:
    """Three sleeping steps (input `delay` seconds each): for cancel, double texting, restarts."""
    graph = StateGraph(StepsState)
    for name in ("one", "two", "three"):
        graph.add_node(name, _sleeper(name))
    graph.add_edge(START, "one")
    graph.add_edge("one", "two")
    graph.add_edge("two", "three")
    graph.add_edge("three", END)
    return graph


EXTRA_GRAPHS = [f"{__name__}:build_steps", f"{__name__}:build_ask", f"{__name__}:build_slow"]
