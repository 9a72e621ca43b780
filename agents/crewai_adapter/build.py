"""Build a CrewAI Agent for any persona from its framework-neutral definition."""

from __future__ import annotations

import asyncio
import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from crewai import Agent
from crewai.tools import BaseTool

from agents.llm.gateway import Gateway
from agents.llm.types import ModelInfo
from agents.personas import Persona

from .llm import GatewayLLM, TokenCallback
from .tools import concept_tools

#: CrewAI warns that per-run callbacks (closures, bound methods) cannot be checkpointed;
#: runs here are never checkpointed, so the warning is noise.
_CHECKPOINT_WARNING = r".*callbacks cannot be serialized"


def build_llm(
    persona: Persona,
    gateway: Gateway,
    loop: asyncio.AbstractEventLoop,
    *,
    on_token: TokenCallback | None = None,
    model_info: ModelInfo | None = None,
) -> GatewayLLM:
    """The persona's model, options and time budget as a CrewAI LLM."""
    return GatewayLLM(
        gateway,
        loop,
        model=persona.model,
        options=persona.options,
        on_token=on_token,
        model_info=model_info,
        call_timeout_s=persona.timeout_s,
    )


def build_agent(
    persona: Persona,
    gateway: Gateway,
    loop: asyncio.AbstractEventLoop,
    *,
    on_token: TokenCallback | None = None,
    tools: Sequence[BaseTool] | None = None,
    model_info: ModelInfo | None = None,
    step_callback: Callable[[Any], None] | None = None,
    llm: GatewayLLM | None = None,
) -> Agent:
    """A CrewAI Agent for `persona` that reaches its model only through `gateway` on `loop`.

    `tools=None` means the persona's own concept tools. Every loop is bounded (max_iter,
    max_execution_time) and nothing reaches the network: no memory, knowledge, embedder,
    planning, delegation or retries (a failed model call ends the run instead of repeating).
    `model_info` gives the model's real capabilities; without it native tool calling is off.
    """
    if llm is None:
        llm = build_llm(persona, gateway, loop, on_token=on_token, model_info=model_info)
    if tools is None:
        tools = concept_tools(persona.tools) if persona.tools else []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_CHECKPOINT_WARNING, category=UserWarning)
        return _agent(persona, llm, tools, step_callback)


def _agent(persona: Persona, llm: GatewayLLM, tools: Sequence[BaseTool], step_callback: Any) -> Agent:
    return Agent(
        role=persona.role,
        goal=persona.goal,
        backstory=f"{persona.backstory}\n{persona.instructions}",
        llm=llm,
        tools=list(tools),
        max_iter=persona.max_iterations,
        max_execution_time=max(1, math.ceil(persona.timeout_s)),
        max_retry_limit=0,
        allow_delegation=False,
        verbose=False,
        memory=False,
        cache=False,
        planning=False,
        reasoning=False,
        inject_date=False,
        step_callback=step_callback,
    )


def agent_llm(agent: Agent) -> GatewayLLM:
    """The GatewayLLM an agent built here runs on."""
    llm = agent.llm
    if not isinstance(llm, GatewayLLM):
        raise TypeError(f"agent {agent.role!r} does not run on a GatewayLLM")
    return llm


__all__ = ["agent_llm", "build_agent", "build_llm"]
