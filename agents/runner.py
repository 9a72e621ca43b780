"""Run any persona in its default framework (or a chosen one) behind one async call.

CrewAI and AutoGen are imported only here, on demand, so start-up stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agents.llm.gateway import Gateway
from agents.personas import AgentReply, Framework, get_persona

EventCallback = Callable[[str, dict[str, Any]], None]


async def run_agent(
    name: str,
    task: str,
    gateway: Gateway,
    *,
    framework: Framework | None = None,
    on_event: EventCallback | None = None,
) -> AgentReply:
    """One turn of the named persona on `task`; the reply carries steps and usage."""
    persona = get_persona(name)
    if framework is not None and framework != persona.framework:
        persona = persona.model_copy(update={"framework": framework})
    if persona.framework == "crewai":
        from agents.crewai_adapter.run import run_persona_crewai

        return await run_persona_crewai(persona, task, gateway, on_event=on_event)
    from agents.autogen_adapter.run import run_persona_autogen

    return await run_persona_autogen(persona, task, gateway, on_event=on_event)
