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

from agents.grounded.answer import GroundedAnswer, grounded_reply
from agents.grounded.tutor import answer_question
from agents.llm.gateway import Gateway
from agents.llm.types import ChatMessage
from agents.llm.usage import collect_usage
from agents.personas import AgentReply, Persona

from .events import EventCallback, drive
from .pipeline_agent import PipelineAgent


class GroundedTutorAgent(PipelineAgent):
    """Answers the last user message with `answer_question`; the answer is kept on `self.last_answer`."""

    def __init__(self, name: str, gateway: Gateway, history: Sequence[ChatMessage] = ()) -> None:
        super().__init__(name, description="Answers GenAI course questions from verified computations and notes.")
        self._gateway = gateway
        self._history = list(history)
        self.last_answer: GroundedAnswer | None = None

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
    stop = "timeout" if trace.timed_out else "completed"
    return grounded_reply(persona.name, "autogen", agent.last_answer, trace.steps, list(usage), stop)


__all__ = ["GroundedTutorAgent", "run_grounded_autogen"]
