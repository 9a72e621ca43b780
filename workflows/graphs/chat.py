"""`chat`: one agent turn over the thread's history.

With `agent` set, the persona answers through its framework (CrewAI or AutoGen); with no
agent, the model answers directly, streaming tokens as `token` events (a persona's streamed
tokens carry the same reply id; its steps, tool calls and their results, are kept in `steps`
under that id). Either way the history is fitted to the model's context window first (oldest
turns dropped, one line saying so), and `context_window` in the state and the node.end event
reports what was done.

Messages may come in OpenAI's shape or LangChain's (agent-chat-ui, LangGraph Studio); the
state's reducer stores both as `{type, role, id, content}` (see workflows.messages), and the
streamed tokens carry the reply's id so clients can match chunks to the stored message.
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agents.context_window import fit_chat
from workflows.context import WorkflowContext
from workflows.events import emit, emitter, instrumented
from workflows.messages import StoredMessage, add_messages, new_id, to_chat


class ChatInput(TypedDict, total=False):
    messages: list[dict[str, Any]]  # {"role", "content"} or {"type", "content": str | parts, "id"}
    agent: str | None


def merge_steps(
    left: dict[str, list[dict[str, str]]] | None, right: dict[str, list[dict[str, str]]] | None
) -> dict[str, list[dict[str, str]]]:
    """Reducer: each agent reply's steps (tool calls and results) under the reply's message id."""
    return {**(left or {}), **(right or {})}


class ChatState(TypedDict, total=False):
    messages: Annotated[list[StoredMessage], add_messages]
    agent: str | None
    answer: str
    usage: dict[str, Any]
    context_window: dict[str, Any]
    steps: Annotated[dict[str, list[dict[str, str]]], merge_steps]


@instrumented("respond")
async def respond(state: ChatState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    messages = state.get("messages") or []
    if not messages or messages[-1]["type"] != "human":
        raise ValueError("chat needs a last message of type 'human' (role 'user')")
    gateway = runtime.context.gateway
    # the run's assistant (or context) names the persona for this turn; else the one the thread last used
    agent = runtime.context.agent or state.get("agent")
    chat = to_chat(messages)
    reply_id = new_id()
    steps: list[dict[str, str]] = []
    if agent:
        from agents.personas import get_persona
        from agents.runner import run_agent

        fit = await fit_chat(gateway, chat, persona=get_persona(agent))
        send = emitter("respond")

        def on_event(kind: str, data: dict[str, Any]) -> None:
            # the persona's streamed tokens carry the reply's id, like the bare model's
            send(kind, {**data, "message_id": reply_id} if kind == "token" else data)

        turn = await run_agent(agent, chat[-1].content, gateway, on_event=on_event, history=fit.messages[:-1])
        text = turn.text
        steps = [s.model_dump() for s in turn.steps]
    else:
        fit = await fit_chat(gateway, chat)
        pieces: list[str] = []
        async for chunk in gateway.stream(fit.messages):
            if chunk.text:
                pieces.append(chunk.text)
                emit("token", node="respond", text=chunk.text, message_id=reply_id)
        text = "".join(pieces)
    reply: StoredMessage = {"type": "ai", "role": "assistant", "id": reply_id, "content": text}
    out: dict[str, Any] = {"messages": [reply], "answer": text, "context_window": fit.report()}
    if steps:  # kept in the thread, so a reloaded conversation still shows the agent's tool calls
        out["steps"] = {reply_id: steps}
    return out


def build() -> StateGraph[Any, Any, Any, Any]:
    graph = StateGraph(ChatState, context_schema=WorkflowContext, input_schema=ChatInput)
    graph.add_node("respond", respond)
    graph.add_edge(START, "respond")
    graph.add_edge("respond", END)
    return graph
