"""Run any persona in its default framework (or a chosen one) behind one async call.

CrewAI and AutoGen are imported only here, on demand, so start-up stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from agents.llm.gateway import Gateway
from agents.llm.types import ChatMessage
from agents.personas import AgentReply, Framework, get_persona

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
    prompt = task_with_history(task, history)
    if persona.framework == "crewai":
        from agents.crewai_adapter.run import run_persona_crewai

        return await run_persona_crewai(persona, prompt, gateway, on_event=on_event)
    from agents.autogen_adapter.run import run_persona_autogen

    return await run_persona_autogen(persona, prompt, gateway, on_event=on_event)
