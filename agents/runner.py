"""Run any persona in its default framework (or a chosen one) behind one async call, held to one contract.

The persona contract, the same on CrewAI and AutoGen: a turn offers the tools
`agents.concept_tools.shortlist_specs` picks for its task, and those of the MCP servers
configured for the persona (THINKROOM_MCP_SERVERS, `agents.mcp`; AutoGen only to a model
that can call tools), all reported as the same tool events; an "answer" turn returns text,
steps, usage and how the prompt fitted (`context`); a "code" turn's final program has run in
the bwrap sandbox and the reply shows that program, its output and the run's steps
(`agents.code_turn.ensure_final_run`); a "grade" turn's reply is "SCORE: n / REASONS: ..."
read by the one score parser, asked for once more if the model forgot the format, else
stopped as "no_score" (`agents.grade_turn`). Answers are compared with the one normaliser
(`tools.evals.answers`). The adapters drive their framework; this module applies the rest.

CrewAI and AutoGen are imported only here, on demand, so start-up stays fast.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from agents.code_turn import ensure_final_run
from agents.grade_turn import as_grade, has_grade, retry_task
from agents.llm.gateway import Gateway
from agents.llm.types import ChatMessage
from agents.personas import AgentReply, Framework, Persona, get_persona

EventCallback = Callable[[str, dict[str, Any]], None]


def task_with_history(task: str, history: Sequence[ChatMessage] | None) -> str:
    """Earlier turns as context for frameworks that take one task string."""
    if not history:
        return task
    lines = [f"{m.role}: {m.content}" for m in history]
    return "Conversation so far:\n" + "\n".join(lines) + f"\n\nReply to the user's last message: {task}"


async def run_agent(
    name: str,
    task: str,
    gateway: Gateway,
    *,
    framework: Framework | None = None,
    on_event: EventCallback | None = None,
    history: Sequence[ChatMessage] | None = None,
) -> AgentReply:
    """One turn of the named persona on `task` (the user's last message); `history` holds earlier turns.

    The reply carries steps and usage.
    """
    persona = get_persona(name)
    if framework is not None and framework != persona.framework:
        persona = persona.model_copy(update={"framework": framework})
    if persona.grounded:
        return await run_grounded(persona, task, gateway, on_event=on_event, history=history or ())
    return await run_turn(persona, task_with_history(task, history), gateway, on_event=on_event)


async def run_turn(
    persona: Persona, task: str, gateway: Gateway, *, on_event: EventCallback | None = None
) -> AgentReply:
    """One ungrounded turn of `persona` in its framework, held to the persona contract (module docstring)."""
    started = time.monotonic()
    reply = await framework_turn(persona, task, gateway, on_event=on_event)
    if persona.turn == "code" and persona.uses_sandbox:
        return await ensure_final_run(reply, on_event=on_event)
    if persona.turn == "grade":
        return await _graded(persona, task, gateway, reply, on_event, persona.timeout_s - (time.monotonic() - started))
    return reply


async def framework_turn(
    persona: Persona, task: str, gateway: Gateway, *, on_event: EventCallback | None = None
) -> AgentReply:
    """The turn as the persona's framework runs it, before the contract is applied."""
    if persona.framework == "crewai":
        from agents.crewai_adapter.run import run_persona_crewai

        return await run_persona_crewai(persona, task, gateway, on_event=on_event)
    from agents.autogen_adapter.run import run_persona_autogen

    return await run_persona_autogen(persona, task, gateway, on_event=on_event)


async def _graded(
    persona: Persona,
    task: str,
    gateway: Gateway,
    reply: AgentReply,
    on_event: EventCallback | None,
    time_left: float,
) -> AgentReply:
    """A grade turn's reply in the one format; a free grade that forgot it is asked for once more.

    The retry is a plain answer turn of the same persona (the grounded grader already answered
    or had nothing to check) on the time the turn has left.
    """
    retry = reply.grounding is None and reply.stop_reason == "completed" and not has_grade(reply.text) and time_left > 0
    if retry:
        again = persona.model_copy(update={"turn": "answer", "timeout_s": time_left})
        second = await framework_turn(again, retry_task(task, reply.text), gateway, on_event=on_event)
        reply = second.model_copy(
            update={"steps": [*reply.steps, *second.steps], "usage": [*reply.usage, *second.usage]}
        )
    return as_grade(reply)


async def run_grounded(
    persona: Persona,
    task: str,
    gateway: Gateway,
    *,
    on_event: EventCallback | None = None,
    history: Sequence[ChatMessage] = (),
) -> AgentReply:
    """A grounded persona's turn: the grounded pipeline in the persona's framework.

    On a model with native tool calling, the framework's own agent (with the concept tools)
    writes the prose, and the verified parts are composed around it; a small base model
    gets the pipeline alone, as a CrewAI Flow or an AutoGen agent.
    """
    from agents.crewai_adapter.run import resolve_model_info

    info = await resolve_model_info(gateway, persona.model)
    if info.supports_tools:
        return await _grounded_native(persona, task, gateway, on_event=on_event, history=history)
    if persona.framework == "crewai":
        from agents.crewai_adapter.grounded import run_grounded_crewai

        return await run_grounded_crewai(persona, task, gateway, history=history, on_event=on_event)
    from agents.autogen_adapter.grounded import run_grounded_autogen

    return await run_grounded_autogen(persona, task, gateway, history=history, on_event=on_event)


async def _grounded_native(
    persona: Persona,
    task: str,
    gateway: Gateway,
    *,
    on_event: EventCallback | None,
    history: Sequence[ChatMessage],
) -> AgentReply:
    """The framework agent answers with native tool calls; its text becomes the prose between verified parts."""
    from agents.grounded.native import merge_native_reply
    from agents.grounded.tutor import answer_question

    ungrounded = persona.model_copy(update={"grounded": False})
    reply = await run_turn(ungrounded, task_with_history(task, history), gateway, on_event=on_event)
    answer = await answer_question(task, gateway, history=history, on_event=on_event, write_prose=False)
    return merge_native_reply(reply, answer)
