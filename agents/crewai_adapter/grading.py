"""The grounded evaluator on CrewAI: a one-task crew whose agent's work is the grounded grader.

`GroundedGradingAgent` is a CrewAI `Agent` whose task execution runs `agents.grading` (the
same grader the AutoGen evaluator and the lesson use), so the persona answers alike on
either framework; the Task's output is the rendered grade. The crew runs in a worker thread
(`kickoff_crew`), so the grader's coroutine, including the judge's constrained model call,
is scheduled back onto the gateway's event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
from typing import Any

from crewai import Agent, Task
from pydantic import PrivateAttr

from agents.context_window import fit_agent_task
from agents.grading import Grade, GradeResult, Reference, gateway_judge, grade_answer
from agents.grading.request import GradingRequest, resolve_grading_task
from agents.llm.gateway import Gateway
from agents.llm.types import ModelInfo, Usage
from agents.personas import AgentReply, Persona

from .build import build_llm
from .errors import AgentRunError
from .events import EventCallback, EventSink, StepRecorder
from .llm import GatewayLLM
from .run import resolve_model_info, run_one_task

EXPECTED_OUTPUT = "SCORE: <0-10>, then REASONS: and bullet points."


class GroundedGradingAgent(Agent):
    """A CrewAI agent that grades its request with the grounded grader instead of free generation."""

    _gateway: Gateway = PrivateAttr()
    _loop: asyncio.AbstractEventLoop = PrivateAttr()
    _request: GradingRequest = PrivateAttr()
    _reference: Reference = PrivateAttr()
    _timeout_s: float = PrivateAttr(default=600.0)
    _result: GradeResult | None = PrivateAttr(default=None)

    def configure(
        self,
        gateway: Gateway,
        loop: asyncio.AbstractEventLoop,
        request: GradingRequest,
        reference: Reference,
        timeout_s: float,
    ) -> GroundedGradingAgent:
        self._gateway, self._loop, self._request, self._reference = gateway, loop, request, reference
        self._timeout_s = timeout_s
        return self

    @property
    def grade(self) -> Grade | None:
        return self._result.grade if self._result is not None else None

    @property
    def reference(self) -> Reference:
        return self._reference

    @property
    def judge_usage(self) -> list[Usage]:
        return list(self._result.usage) if self._result is not None else []

    def execute_task(self, task: Any, context: str | None = None, tools: Any = None) -> str:
        """Grade on the gateway's loop (this runs in the crew's worker thread) and return the grade's text."""
        judge = gateway_judge(self._gateway, model=getattr(self.llm, "model", None))
        coro = grade_answer(self._request.question, self._request.answer, judge=judge, reference=self._reference)
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            self._result = future.result(timeout=self._timeout_s)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise AgentRunError("grading timed out", cause=exc, stop_reason="timeout") from exc
        return self._result.grade.render()

    async def aexecute_task(self, task: Any, context: str | None = None, tools: Any = None) -> str:
        return await asyncio.to_thread(self.execute_task, task, context, tools)


def grading_agent(
    persona: Persona,
    gateway: Gateway,
    loop: asyncio.AbstractEventLoop,
    info: ModelInfo,
    request: GradingRequest,
    reference: Reference,
) -> tuple[GroundedGradingAgent, GatewayLLM]:
    """A grading agent for one request, on the persona's model (its LLM bounds and cancels the crew)."""
    llm = build_llm(persona, gateway, loop, model_info=info)
    agent = GroundedGradingAgent(
        role=persona.role,
        goal=persona.goal,
        backstory=persona.backstory,
        llm=llm,
        max_iter=1,
        max_execution_time=max(1, math.ceil(persona.timeout_s)),
        max_retry_limit=0,
        allow_delegation=False,
        verbose=False,
    )
    return agent.configure(gateway, loop, request, reference, persona.timeout_s), llm


def record_computation(recorder: StepRecorder, reference: Reference) -> None:
    """The concept run behind the reference, as a tool call and result step."""
    if reference.concept is not None and reference.inputs is not None and reference.computed is not None:
        recorder.tool_event("tool_call", {"tool": reference.concept, "arguments": reference.inputs})
        recorder.tool_event("tool_result", {"tool": reference.concept, "result": reference.computed})


async def grade_persona_crewai(
    persona: Persona, task: str, gateway: Gateway, *, on_event: EventCallback | None = None
) -> AgentReply | None:
    """The evaluator's turn as a one-task crew with the grounded grader; None when the course cannot check it."""
    found = resolve_grading_task(task)
    if found is None:
        return None
    request, reference = found
    loop = asyncio.get_running_loop()
    recorder = StepRecorder(EventSink(loop, on_event), persona.name)
    info = await resolve_model_info(gateway, persona.model)
    fitted = await fit_agent_task(gateway, persona, task, info)  # as every turn: fails at once if it cannot fit
    agent, llm = grading_agent(persona, gateway, loop, info, request, reference)
    record_computation(recorder, reference)
    crew_task = Task(description=task, expected_output=EXPECTED_OUTPUT, agent=agent)
    text, reason = await run_one_task(agent, crew_task, llm, recorder, persona.timeout_s)
    return AgentReply(
        persona=persona.name,
        framework="crewai",
        text=text,
        steps=recorder.steps,
        usage=[*llm.usage, *agent.judge_usage],
        stop_reason=reason if text else "timeout",
        grounding=agent.grade.model_dump(mode="json") if agent.grade is not None else None,
        context=fitted,
    )


__all__ = ["EXPECTED_OUTPUT", "GroundedGradingAgent", "grade_persona_crewai", "grading_agent", "record_computation"]
