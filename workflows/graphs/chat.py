"""`chat`: one agent turn over the thread's history.

With `agent` set, the persona answers through its framework (CrewAI or AutoGen); with no
agent, the model answers directly, streaming tokens as `token` events.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agents.llm.types import ChatMessage
from workflows.context import WorkflowContext
from workflows.events import emit, emitter, instrumented


class ChatInput(TypedDict, total=False):
    messages: list[dict[str, str]]
    agent: str | None


class ChatState(TypedDict, total=False):
    messages: Annotated[list[dict[str, str]], operator.add]
    agent: str | None
    answer: str
    usage: dict[str, Any]


@instrumented("respond")
async def respond(state: ChatState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    messages = state.get("messages") or []
    if not messages or messages[-1].get("role") != "user":
        raise ValueError("chat needs a last message with role 'user'")
    gateway = runtime.context.gateway
    agent = state.get("agent") or runtime.context.agent
    if agent:
        from agents.runner import run_agent

        history = [ChatMessage(role=m["role"], content=m["content"]) for m in messages[:-1][-10:]]  # type: ignore[arg-type]
        reply = await run_agent(
            agent, messages[-1]["content"], gateway, on_event=emitter("respond"), history=history
        )
        text = reply.text
    else:
        pieces: list[str] = []
        history = [ChatMessage(role=m["role"], content=m["content"]) for m in messages]  # type: ignore[arg-type]
        async for chunk in gateway.stream(history):
            if chunk.text:
                pieces.append(chunk.text)
                emit("token", node="respond", text=chunk.text)
        text = "".join(pieces)
    return {"messages": [{"role": "assistant", "content": text}], "answer": text}


def build() -> StateGraph[Any, Any, Any, Any]:
    graph = StateGraph(ChatState, context_schema=WorkflowContext, input_schema=ChatInput)
    graph.add_node("respond", respond)
    graph.add_edge(START, "respond")
    graph.add_edge("respond", END)
    return graph
