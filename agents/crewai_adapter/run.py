"""Run a crew from async code: in a worker thread, bounded, with failures made clear.

CrewAI is synchronous and blocks, so `crew.kickoff` runs in a thread while the event
loop keeps serving the gateway's streams. An asyncio timeout bounds the whole run; on
timeout the crew's LLMs are cancelled so the worker thread unwinds at its next model call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from crewai import Agent, Crew, Process, Task
from crewai.crews.crew_output import CrewOutput
from crewai.tools import BaseTool

from agents.concept_tools import ToolSpec, shortlist_specs
from agents.context_window import fit_agent_task
from agents.llm.errors import GatewayError
from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions, ModelInfo
from agents.mcp.crewai_mcp import McpTool, persona_mcp_tools
from agents.personas import AgentReply, Persona
from agents.sandbox import SandboxLimits

from .build import agent_llm, build_agent
from .errors import AgentRunError, caused_by, find_agent_error
from .events import EventCallback, EventSink, StepRecorder
from .llm import GatewayLLM
from .tools import concept_tool

#: How long a timed-out run may take to unwind before we stop waiting for its thread.
UNWIND_GRACE_S = 5.0


async def resolve_model_info(gateway: Gateway, model: str | None) -> ModelInfo:
    """The model's real capabilities (decides native tool calling); a clear error if unreachable."""
    try:
        return await gateway.model_info(model)
    except GatewayError as exc:
        raise AgentRunError.from_gateway(exc) from exc


async def kickoff_crew(crew: Crew, llms: Sequence[GatewayLLM], timeout_s: float) -> tuple[CrewOutput | None, str]:
    """Run `crew` in a thread; returns (output, stop_reason) or (None, "timeout").

    Raises AgentRunError (with the GatewayError as `.cause`) when a model call failed,
    unwrapping CrewAI's "Task execution failed" RuntimeError.
    """
    deadline = time.monotonic() + timeout_s
    for llm in llms:
        llm.set_deadline(deadline)
    worker = asyncio.ensure_future(asyncio.to_thread(crew.kickoff))
    error: AgentRunError | None = None
    try:
        result = await asyncio.wait_for(asyncio.shield(worker), timeout_s)
    except TimeoutError:
        await _stop(worker, llms, "timeout")
        return None, "timeout"
    except asyncio.CancelledError:
        await _stop(worker, llms, "cancelled")
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes an AgentRunError, raised below
        error = _as_agent_error(exc, llms)
    if error is not None:  # raised here, not in the handler, so no loop back to `exc` is made
        if error.stop_reason == "timeout":  # a model call hit the deadline just before asyncio did
            return None, "timeout"
        raise error
    for llm in llms:
        if llm.failure is not None and llm.failure.stop_reason == "timeout":
            return (result if isinstance(result, CrewOutput) else None), "timeout"
    if not isinstance(result, CrewOutput):
        raise AgentRunError(f"CrewAI returned {type(result).__name__}, expected CrewOutput")
    reason = "max_iterations" if any(llm.forced_final_answer for llm in llms) else "completed"
    return result, reason


async def _stop(worker: asyncio.Future[Any], llms: Sequence[GatewayLLM], reason: str) -> None:
    for llm in llms:
        llm.cancel(reason)
    await asyncio.wait({worker}, timeout=UNWIND_GRACE_S)
    worker.add_done_callback(_consume_result)


def _consume_result(worker: asyncio.Future[Any]) -> None:
    """Retrieve a stopped run's late exception so asyncio does not log it as unhandled."""
    if not worker.cancelled():
        worker.exception()


def _as_agent_error(exc: BaseException, llms: Sequence[GatewayLLM]) -> AgentRunError:
    """The AgentRunError behind a crew's failure, its exception chain free of loops."""
    found = find_agent_error(exc) or next((llm.failure for llm in llms if llm.failure is not None), None)
    if found is None:
        found = AgentRunError(f"CrewAI run failed: {exc}", cause=exc)
    return caused_by(found, exc)


async def run_persona_crewai(
    persona: Persona,
    task: str,
    gateway: Gateway,
    *,
    on_event: EventCallback | None = None,
    expected_output: str | None = None,
    context: str | None = None,
    sandbox_limits: SandboxLimits | None = None,
) -> AgentReply:
    """One persona turn as a one-task sequential Crew.

    Tools: the persona's concepts, narrowed to those the task mentions when it has them
    all (a small model's context cannot hold 30 schemas). Bounded by max_iter and an
    asyncio timeout of persona.timeout_s: stop_reason is "completed", "max_iterations"
    or "timeout" (text may then be empty). A failing backend raises AgentRunError.
    A grading persona grades an answer the course can check with the grounded grader; a
    sandbox coder writes, runs and fixes its code in rounds (`agents.crewai_adapter.coding`).
    """
    if persona.turn == "code" and persona.uses_sandbox:
        from .coding import code_persona_crewai  # imports this module: loaded on first use

        return await code_persona_crewai(persona, task, gateway, on_event=on_event, sandbox_limits=sandbox_limits)
    if persona.turn == "grade":
        from .grading import EXPECTED_OUTPUT, grade_persona_crewai  # imports this module: loaded on first use

        graded = await grade_persona_crewai(persona, task, gateway, on_event=on_event)
        if graded is not None:
            return graded
        expected_output = expected_output or EXPECTED_OUTPUT
    sink = EventSink(asyncio.get_running_loop(), on_event)
    info = await resolve_model_info(gateway, persona.model)
    specs = shortlist_specs(persona.tools, task)
    mcp_tools = await persona_mcp_tools(persona.name)  # THINKROOM_MCP_SERVERS; a server that cannot start fails here
    agent, llm, recorder = persona_agent(persona, gateway, sink, info, specs, extra_tools=mcp_tools)
    if specs and "tools" not in info.capabilities:
        # A model without native tools often fumbles ReAct; give it one real computed example
        # so the numbers it quotes are correct either way (it can still call the tool).
        first = specs[0]
        worked = f"{first.name} on its example input {first.concept.example} returns {first.run(first.concept.example)}"
        context = f"{context}\n{worked}" if context else worked
    description = task if not context else f"{task}\n\nContext:\n{context}"
    fitted = await fit_agent_task(gateway, persona, description, info)  # fails at once if it cannot fit
    crew_task = Task(
        description=description,
        expected_output=expected_output or "A complete, correct answer to the task.",
        agent=agent,
    )
    text, reason = await run_one_task(agent, crew_task, llm, recorder, persona.timeout_s)
    return AgentReply(
        persona=persona.name,
        framework="crewai",
        text=text,
        steps=recorder.steps,
        usage=llm.usage,
        stop_reason=reason,
        context=fitted,
    )


async def run_one_task(
    agent: Any, task: Task, llm: GatewayLLM, recorder: StepRecorder, timeout_s: float
) -> tuple[str, str]:
    """One agent on one task as a one-task crew; (final text, stop reason), the text recorded as a step."""
    output, reason = await kickoff_crew(single_crew(agent, task), [llm], timeout_s)
    text = output.raw if output is not None else ""
    if text:
        recorder.message(text, final=True)
    return text, reason


def persona_agent(
    persona: Persona,
    gateway: Gateway,
    sink: EventSink,
    info: ModelInfo,
    specs: Sequence[ToolSpec] = (),
    *,
    extra_tools: Sequence[McpTool] = (),
) -> tuple[Agent, GatewayLLM, StepRecorder]:
    """An agent whose tokens, tool calls and results flow into `sink` and its own recorder.

    `extra_tools` (an MCP server's) report to the same recorder as the concept tools."""
    recorder = StepRecorder(sink, persona.name)
    tools: list[BaseTool] = [concept_tool(spec, observer=recorder.tool_event) for spec in specs]
    for tool in extra_tools:
        tool.observe(recorder.tool_event)
        tools.append(tool)
    agent = build_agent(
        persona,
        gateway,
        sink.loop,
        on_token=recorder.token,
        tools=tools,
        model_info=info,
        step_callback=recorder.step_callback,
    )
    return agent, agent_llm(agent), recorder


def with_options(persona: Persona, options: GenerationOptions | None = None, timeout_s: float | None = None) -> Persona:
    """`persona` with `options` overriding its own and an optional time budget."""
    update: dict[str, Any] = {"options": persona.options.merged(options)}
    if timeout_s is not None:
        update["timeout_s"] = timeout_s
    return persona.model_copy(update=update)


def single_crew(agent: Any, task: Task) -> Crew:
    return sequential_crew([agent], [task])


def sequential_crew(agents: Sequence[Any], tasks: Sequence[Task]) -> Crew:
    """A local, quiet, sequential crew: no memory, planning, cache or tracing."""
    return Crew(
        agents=list(agents),
        tasks=list(tasks),
        process=Process.sequential,
        verbose=False,
        memory=False,
        cache=False,
        planning=False,
        tracing=False,
    )


__all__ = [
    "kickoff_crew",
    "persona_agent",
    "resolve_model_info",
    "run_one_task",
    "run_persona_crewai",
    "sequential_crew",
    "with_options",
]
