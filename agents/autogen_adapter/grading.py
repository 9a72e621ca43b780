"""The grounded evaluator on AutoGen: a `BaseChatAgent` whose turn runs the grounded grader.

The grade comes from `agents.grading` (the same grader the CrewAI evaluator and the lesson
use), so the persona answers alike on either framework. The model's part, the judge's
constrained verdict on free text, is requested through the AutoGen model client
(`GatewayChatCompletionClient.create(json_output=JudgeVerdict)`), and a concept computation
the reference ran is reported as a tool call/result pair, as AutoGen reports tools.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from autogen_agentchat.base import Response
from autogen_agentchat.messages import (
    BaseAgentEvent,
    BaseChatMessage,
    TextMessage,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
)
from autogen_core import CancellationToken, FunctionCall
from autogen_core.models import FunctionExecutionResult, LLMMessage, SystemMessage, UserMessage

from agents.errors import AgentRunError, gateway_cause
from agents.grading import Grade, JudgeVerdict, Reference, grade_answer
from agents.grading.judge import JUDGE_OPTIONS
from agents.grading.request import GradingRequest, resolve_grading_task
from agents.llm.types import ChatMessage, Usage
from agents.personas import Persona

from .client import GatewayChatCompletionClient
from .events import EventCallback, RunTrace, drive
from .pipeline_agent import PipelineAgent


class GroundedEvaluatorAgent(PipelineAgent):
    """Grades one request against its reference; the grade is kept on `self.last_grade`."""

    def __init__(
        self, name: str, client: GatewayChatCompletionClient, request: GradingRequest, reference: Reference
    ) -> None:
        super().__init__(name, description="Grades answers against the concept lab's verified reference.")
        self._client = client
        self._request = request
        self._reference = reference
        self._token: CancellationToken | None = None
        self.last_grade: Grade | None = None

    async def on_messages_stream(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
        self._token = cancellation_token
        inner = self._computation_events()
        for event in inner:
            yield event
        result = await grade_answer(
            self._request.question, self._request.answer, judge=self._judge, reference=self._reference
        )
        self.last_grade = result.grade
        yield Response(chat_message=TextMessage(content=result.grade.render(), source=self.name), inner_messages=inner)

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        self.last_grade = None

    async def _judge(self, messages: list[ChatMessage]) -> tuple[Any, Usage | None]:
        """The judge's call through the AutoGen model client, constrained to JudgeVerdict's schema."""
        llm_messages: list[LLMMessage] = [
            SystemMessage(content=m.content) if m.role == "system" else UserMessage(content=m.content, source="user")
            for m in messages
        ]
        try:
            result = await self._client.create(
                llm_messages,
                json_output=JudgeVerdict,
                extra_create_args=JUDGE_OPTIONS.model_dump(exclude_none=True),
                cancellation_token=self._token,
            )
        except AgentRunError as exc:  # a model failure leaves the checks' verdict (the grader catches it)
            cause = gateway_cause(exc)
            if cause is None:
                raise
            self._client.last_error = None
            raise cause from exc
        content = result.content if isinstance(result.content, str) else ""
        return json.loads(content), None  # the client logs the call's usage itself

    def _computation_events(self) -> list[BaseAgentEvent | BaseChatMessage]:
        """The concept run behind the reference, as AutoGen's tool call and result events."""
        ref = self._reference
        if ref.concept is None or ref.inputs is None or ref.computed is None:
            return []
        call_id = uuid.uuid4().hex[:12]
        call = FunctionCall(id=call_id, name=ref.concept, arguments=json.dumps(ref.inputs))
        output = FunctionExecutionResult(
            content=json.dumps(ref.computed, default=str)[:2000], call_id=call_id, name=ref.concept, is_error=False
        )
        return [
            ToolCallRequestEvent(content=[call], source=self.name),
            ToolCallExecutionEvent(content=[output], source=self.name),
        ]


async def evaluate_grounded(
    persona: Persona,
    task: str,
    client: GatewayChatCompletionClient,
    on_event: EventCallback | None = None,
) -> tuple[Grade | None, RunTrace] | None:
    """Run the grounded evaluator agent on `task`; None when the task has nothing the course can check."""
    found = resolve_grading_task(task)
    if found is None:
        return None
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in persona.name)
    agent = GroundedEvaluatorAgent(name, client, *found)
    trace = await drive(agent, task, timeout_s=persona.timeout_s, clients=[client], on_event=on_event)
    return agent.last_grade, trace


__all__ = ["GroundedEvaluatorAgent", "evaluate_grounded"]
