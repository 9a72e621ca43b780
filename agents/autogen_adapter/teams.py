"""The coding team: coder, sandbox executor and evaluator taking turns until the evaluator approves.

Bounded three ways so a weak model can fail but never loop: the evaluator's APPROVE,
a message cap and a wall-clock timeout (checked between messages by AutoGen, and
enforced mid-call by cancelling the in-flight model call).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from autogen_agentchat.conditions import FunctionalTermination, MaxMessageTermination, TimeoutTermination
from autogen_agentchat.messages import BaseAgentEvent, BaseChatMessage
from autogen_agentchat.teams import RoundRobinGroupChat
from pydantic import BaseModel, Field

from agents.llm import Gateway, GenerationOptions, Usage
from agents.personas import Persona
from agents.personas.catalog import CODER, EVALUATOR
from agents.sandbox import SandboxLimits
from tools.grading.score import parse_score

from .build import build_agent
from .events import EventCallback, drive
from .executor import SandboxExecutorAgent
from .run import client_for, last_python, stopped_by

Verdict = Literal["approved", "not_approved", "timeout", "max_messages"]

_APPROVE = re.compile(r"(?<![A-Za-z])APPROVED?(?![A-Za-z])")
_NEGATED = re.compile(r"\b(?:NOT|CANNOT|CAN'T|DON'T|WON'T|NO)\s+(?:BE\s+)?APPROVE", re.IGNORECASE)


class CodingResult(BaseModel):
    """What the coding team produced and why it stopped."""

    task: str
    final_code: str = Field(default="", description="The last python program the coder wrote.")
    test_output: str = Field(default="", description="Output of the last sandbox run.")
    exit_code: int | None = Field(default=None, description="Exit code of the last sandbox run; None if none ran.")
    verdict: Verdict
    score: float | None = None
    evaluator_feedback: str = ""
    messages: list[dict[str, str]] = Field(default_factory=list)
    usage: list[Usage] = Field(default_factory=list)
    stop_reason: str = ""

    @property
    def total_tokens(self) -> int:
        return sum(u.total_tokens for u in self.usage)


def is_approval(text: str) -> bool:
    """An explicit, un-negated APPROVE (upper case, as the evaluator is told to write it)."""
    return _APPROVE.search(text) is not None and _NEGATED.search(text) is None


def _approved_by(source: str, seen: list[bool]) -> FunctionalTermination:
    def check(messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> bool:
        hit = any(isinstance(m, BaseChatMessage) and m.source == source and is_approval(m.to_text()) for m in messages)
        if hit:
            seen.append(True)
        return hit

    return FunctionalTermination(check)


async def run_coding_team(
    task: str,
    gateway: Gateway,
    *,
    max_messages: int = 12,
    timeout_s: float = 600,
    on_event: EventCallback | None = None,
    options: GenerationOptions | None = None,
    coder: Persona = CODER,
    evaluator: Persona = EVALUATOR,
    sandbox_limits: SandboxLimits | None = None,
) -> CodingResult:
    """Coder -> executor -> evaluator in turn until APPROVE, `max_messages` or `timeout_s`.

    `options` override both personas' generation options (e.g. a small max_tokens).
    Approval only counts as "approved" if the last sandbox run succeeded.
    """
    usage: list[Usage] = []
    coder_client = await client_for(coder, gateway, usage, options)
    evaluator_client = await client_for(evaluator, gateway, usage, options)
    coder_agent = build_agent(coder, coder_client, task=task, name="coder")
    evaluator_agent = build_agent(evaluator, evaluator_client, task=task, name="evaluator")
    executor = SandboxExecutorAgent("executor", sources=["coder"], limits=sandbox_limits)
    approvals: list[bool] = []
    termination = (
        _approved_by("evaluator", approvals) | MaxMessageTermination(max_messages) | TimeoutTermination(timeout_s)
    )
    team = RoundRobinGroupChat([coder_agent, executor, evaluator_agent], termination_condition=termination)
    trace = await drive(team, task, timeout_s=timeout_s, clients=[coder_client, evaluator_client], on_event=on_event)
    last = trace.executions[-1] if trace.executions else None
    feedback = trace.last_from("evaluator") or ""
    verdict: Verdict
    if approvals:
        verdict = "approved" if last is not None and last.exit_code == 0 else "not_approved"
    else:
        stop = stopped_by(trace)
        verdict = "timeout" if stop == "timeout" else "max_messages" if stop == "max_messages" else "not_approved"
    return CodingResult(
        task=task,
        final_code=last_python(trace.messages, "coder"),
        test_output=last.output if last else "",
        exit_code=last.exit_code if last else None,
        verdict=verdict,
        score=parse_score(feedback),
        evaluator_feedback=feedback,
        messages=trace.messages,
        usage=list(usage),
        stop_reason=trace.stop_reason,
    )


__all__ = ["CodingResult", "Verdict", "is_approval", "run_coding_team"]
