"""The coder on CrewAI: write, run in the sandbox, read what it reported, fix; as on AutoGen.

AutoGen runs the coder in a team with a sandbox executor agent. Here each round is a
one-task crew for the coder, and between rounds its program runs in the same bubblewrap
sandbox (agents.code_turn.run_program); the next round's task carries the program and what
the sandbox reported. The turn stops on AutoGen's conditions: a clean run (exit code 0 with
output) or DONE without new code once something has run ("done"), the round cap of persona.max_iterations
("max_messages"), or the time budget ("timeout"); the reply is rendered the same way.
"""

from __future__ import annotations

import asyncio
import time

from crewai import Task

from agents.code_turn import (
    as_step,
    coder_text,
    final_program,
    ran_cleanly,
    reported_output,
    run_program,
    run_steps,
    said_done,
    sandbox_output,
)
from agents.concept_tools import shortlist_specs
from agents.context_window import fit_agent_task
from agents.llm.gateway import Gateway
from agents.mcp.crewai_mcp import persona_mcp_tools
from agents.personas import AgentReply, Persona
from agents.sandbox import SandboxLimits

from .events import EventCallback, EventSink, StepRecorder
from .run import persona_agent, resolve_model_info, run_one_task

#: No backticks here: a small model echoes this line, and an echoed fence would read as code.
CODE_OUTPUT = "One complete Python program in a python code block that solves the task and prints a check of it."


def fix_description(task: str, program: str, report: str) -> str:
    """The next round's task: the program and what the sandbox said about it."""
    return (
        f"{task}\n\nYour program:\n```python\n{program.rstrip()}\n```\n"
        f"The sandbox ran it and reported:\n{report.rstrip()}\n\n"
        "Fix any error and reply with the complete corrected program in one ```python block; "
        "if the output shows it works, say DONE."
    )


def code_again_description(task: str) -> str:
    """The next round's task after a reply with no program to run."""
    return f"{task}\n\nYour last reply had no Python code to run. Reply with one complete ```python code block."


async def code_persona_crewai(
    persona: Persona,
    task: str,
    gateway: Gateway,
    *,
    on_event: EventCallback | None = None,
    sandbox_limits: SandboxLimits | None = None,
) -> AgentReply:
    """One coder turn on CrewAI; a task too long for the model's window fails at once (AgentRunError)."""
    sink = EventSink(asyncio.get_running_loop(), on_event)
    info = await resolve_model_info(gateway, persona.model)
    fitted = await fit_agent_task(gateway, persona, task, info)
    mcp_tools = await persona_mcp_tools(persona.name)  # THINKROOM_MCP_SERVERS, as on every persona turn
    agent, llm, recorder = persona_agent(
        persona, gateway, sink, info, shortlist_specs(persona.tools, task), extra_tools=mcp_tools
    )
    deadline = time.monotonic() + persona.timeout_s
    description, program, last_text, closing = task, "", "", ""
    last_run: tuple[int, str] | None = None
    stop = "max_messages"
    for _ in range(max(1, persona.max_iterations)):
        left = deadline - time.monotonic()
        if left <= 0:
            stop = "timeout"
            break
        crew_task = Task(description=description, expected_output=CODE_OUTPUT, agent=agent)
        last_text, reason = await run_one_task(agent, crew_task, llm, recorder, left)
        if reason == "timeout":
            stop = "timeout"
            break
        code = final_program(last_text)
        if code is None:
            if last_run is not None and said_done(last_text):
                closing, stop = last_text, "done"
                break
            description = code_again_description(task)
            continue
        program = code
        last_run = await _run(recorder, code, sandbox_limits, deadline)
        if last_run is None:
            stop = "timeout"
            break
        if ran_cleanly(*last_run):
            stop = "done"
            break
        description = fix_description(task, code, last_run[1])
    return AgentReply(
        persona=persona.name,
        framework="crewai",
        text=coder_text(program, last_run, closing) or last_text,
        steps=recorder.steps,
        usage=llm.usage,
        stop_reason=stop,
        context=fitted,
    )


async def _run(
    recorder: StepRecorder, code: str, limits: SandboxLimits | None, deadline: float
) -> tuple[int, str] | None:
    """Run `code` in the sandbox within the turn's time; (exit code, report) recorded as steps, None on timeout."""
    try:
        result = await asyncio.wait_for(run_program(code, limits), max(deadline - time.monotonic(), 0.001))
    except TimeoutError:
        return None
    report = reported_output(result.exit_code, sandbox_output(result))
    for kind, data in run_steps(recorder.source, code, result.exit_code, report):
        recorder.record(as_step(kind, data), data)
    return result.exit_code, report


__all__ = ["CODE_OUTPUT", "code_again_description", "code_persona_crewai", "fix_description"]
