"""The grounded tutor as an AutoGen agent: a `BaseChatAgent` whose turn runs the grounded pipeline.

A small base model cannot drive AutoGen's tool-calling loop, so the agent's turn is the
pipeline itself (retrieve, compute, compose). Its concept run is reported the AutoGen way,
as a ToolCallRequestEvent / ToolCallExecutionEvent pair, and the reply as a TextMessage, so
teams, termination conditions and the event stream treat it like any other agent.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from autogen_agentchat.agents import BaseChatAgent
from autogen_agentchat.base import Response
from autogen_agentchat.conditions import MaxMessageTermination
from autogen_agentchat.messages import (
    BaseAgentEvent,
    BaseChatMessage,
    TextMessage,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
)
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_core import CancellationToken, FunctionCall
from autogen_core.models import FunctionExecutionResult

from agents.grounded.answer import GroundedAnswer
from agents.grounded.tutor import answer_question
from agents.llm.gateway import Gateway
from agents.llm.types import ChatMessage
from agents.llm.usage import collect_usage
from agents.personas import AgentReply, Persona

from .events import EventCallback, drive


class GroundedTutorAgent(BaseChatAgent):
    """Answers the last user message with `answer_question`; the answer is kept on `self.last_answer`."""

    def __init__(self, name: str, gateway: Gateway, history: Sequence[ChatMessage] = ()) -> None:
        super().__init__(name, description="Answers GenAI course questions from verified computations and notes.")
        self._gateway = gateway
        self._history = list(history)
        self.last_answer: GroundedAnswer | None = None

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return (TextMessage,)

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        final: Response | None = None
        async for item in self.on_messages_stream(messages, cancellation_token):
            if isinstance(item, Response):
                final = item
        assert final is not None
        return final

    async def on_messages_stream(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
        question = messages[-1].to_text() if messages else ""
        events: list[tuple[str, dict[str, Any]]] = []
        answer = await answer_question(
            question, self._gateway, history=self._history, on_event=lambda k, d: events.append((k, d))
        )
        self.last_answer = answer
        inner: list[BaseAgentEvent | BaseChatMessage] = []
        call_id = ""
        for kind, data in events:
            if kind == "tool_call":
                call_id = uuid.uuid4().hex[:12]
                call = FunctionCall(id=call_id, name=data["tool"], arguments=json.dumps(data["arguments"]))
                inner.append(ToolCallRequestEvent(content=[call], source=self.name))
            elif kind == "tool_result":
                result = FunctionExecutionResult(
                    content=data["result"], call_id=call_id, name=data["tool"], is_error=False
                )
                inner.append(ToolCallExecutionEvent(content=[result], source=self.name))
        for event in inner:
            yield event
        yield Response(chat_message=TextMessage(content=answer.render(), source=self.name), inner_messages=inner)

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        self.last_answer = None


async def run_grounded_autogen(
    persona: Persona,
    task: str,
    gateway: Gateway,
    *,
    history: Sequence[ChatMessage] = (),
    on_event: EventCallback | None = None,
) -> AgentReply:
    """One grounded turn in a one-agent RoundRobinGroupChat that ends after the agent's reply."""
    agent = GroundedTutorAgent(persona.name.replace("-", "_"), gateway, history)
    team = RoundRobinGroupChat([agent], termination_condition=MaxMessageTermination(2))
    with collect_usage() as usage:
        trace = await drive(team, task, timeout_s=persona.timeout_s, clients=[], on_event=on_event)
    answer = agent.last_answer
    return AgentReply(
        persona=persona.name,
        framework="autogen",
        text=answer.render() if answer is not None else "",
        steps=trace.steps,
        usage=list(usage),
        stop_reason="timeout" if trace.timed_out else "completed",
        grounding=answer.model_dump(mode="json") if answer is not None else None,
    )


__all__ = ["GroundedTutorAgent", "run_grounded_autogen"]
