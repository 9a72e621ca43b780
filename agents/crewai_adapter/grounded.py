"""The grounded tutor as a CrewAI Flow: plan, compute and compose are the flow's steps.

A small base model cannot follow CrewAI's ReAct prompt, so on such a model the tutor's
turn is a Flow whose steps are the grounded pipeline's stages (the same functions the
AutoGen agent runs). Each step's state is typed, so a run can be inspected step by step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crewai.flow.flow import Flow, listen, start
from pydantic import BaseModel, ConfigDict, Field

from agents.grounded.answer import Computation, GroundedAnswer, grounded_reply
from agents.grounded.tutor import Plan, compose_answer, compute, plan_answer, retrieval_event, writes_prose
from agents.llm.gateway import Gateway
from agents.llm.types import ChatMessage
from agents.llm.usage import collect_usage
from agents.personas import AgentReply, AgentStep, Persona

from .events import EventCallback


class TutorState(BaseModel):
    """The flow's state: the question, then what each step found."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    question: str = ""
    plan: Plan | None = None
    computation: Computation | None = None
    answer: GroundedAnswer | None = None
    steps: list[AgentStep] = Field(default_factory=list)


class GroundedTutorFlow(Flow[TutorState]):
    """plan → compute → compose, each a flow step; the gateway and listener are fixed per run."""

    def __init__(
        self, gateway: Gateway, history: Sequence[ChatMessage], on_event: EventCallback | None, source: str
    ) -> None:
        super().__init__(tracing=False, suppress_flow_events=True)
        self._gateway = gateway
        self._history = list(history)
        self._on_event = on_event
        self._source = source

    def _emit(self, kind: str, data: dict[str, Any]) -> None:
        data = {**data, "source": self._source}
        if kind == "tool_call":
            self.state.steps.append(
                AgentStep(kind="tool_call", source=self._source, content=f"{data['tool']}({data['arguments']})")
            )
        elif kind == "tool_result":
            self.state.steps.append(
                AgentStep(kind="tool_result", source=self._source, content=f"{data['tool']}: {data['result']}")
            )
        if self._on_event is not None:
            self._on_event(kind, data)

    @start()
    async def plan(self) -> None:
        self.state.plan = plan_answer(self.state.question, self._history)
        self._emit("retrieval", retrieval_event(self.state.plan))

    @listen(plan)
    async def compute_values(self) -> None:
        plan = self.state.plan
        if plan is not None and plan.concept is not None and plan.needs_computation:
            self.state.computation = await compute(
                self._gateway,
                plan.concept,
                plan.question,
                self._emit,
                reference_answered=plan.quiz_applies,
                topic=plan.route.question,
            )

    @listen(compute_values)
    async def compose(self) -> str:
        assert self.state.plan is not None
        writer = self._gateway if await writes_prose(self._gateway) else None
        self.state.answer = await compose_answer(self.state.plan, self.state.computation, writer)
        text = self.state.answer.render()
        self.state.steps.append(AgentStep(kind="message", source=self._source, content=text))
        return text


async def run_grounded_crewai(
    persona: Persona,
    task: str,
    gateway: Gateway,
    *,
    history: Sequence[ChatMessage] = (),
    on_event: EventCallback | None = None,
) -> AgentReply:
    """One grounded turn of `persona` as a CrewAI Flow run."""
    flow = GroundedTutorFlow(gateway, history, on_event, persona.name)
    with collect_usage() as usage:
        await flow.kickoff_async(inputs={"question": task})
    return grounded_reply(persona.name, "crewai", flow.state.answer, flow.state.steps, list(usage))


__all__ = ["GroundedTutorFlow", "TutorState", "run_grounded_crewai"]
