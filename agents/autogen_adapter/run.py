"""One persona turn on AutoGen, whatever the persona.

- a sandbox persona (the coder) writes code, a sandbox CodeExecutorAgent runs it and the
  coder reads the output and fixes errors, until it says DONE, runs out of messages or time;
- the evaluator grades an answer the course can check with the grounded grader (agents.grading),
  otherwise it answers once (agents.runner reads its score, and asks once more if it forgot the format);
- any other persona is one AssistantAgent turn (with its concept tools if the model has tools).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager

from autogen_agentchat.conditions import FunctionalTermination, MaxMessageTermination, TimeoutTermination
from autogen_agentchat.messages import BaseAgentEvent, BaseChatMessage, CodeExecutionEvent
from autogen_agentchat.teams import RoundRobinGroupChat

from agents import code_turn
from agents.code_turn import EXECUTOR, coder_text, extract_code_blocks, final_program
from agents.context_window import fit_agent_task
from agents.llm import Gateway, GenerationOptions, Usage
from agents.mcp.autogen_mcp import McpBenches, persona_workbenches
from agents.personas import AgentReply, Persona
from agents.sandbox import SandboxLimits

from .build import build_agent
from .client import GatewayChatCompletionClient
from .events import EventCallback, RunTrace, drive
from .executor import SandboxExecutorAgent
from .grading import evaluate_grounded


async def client_for(
    persona: Persona, gateway: Gateway, usage: list[Usage], options: GenerationOptions | None = None
) -> GatewayChatCompletionClient:
    """A client for the persona's model and options (`options` overrides them), logging into `usage`."""
    return await GatewayChatCompletionClient.create_for(
        gateway, persona.model, options=persona.options.merged(options), usage_log=usage
    )


def last_python(messages: Sequence[dict[str, str]], source: str) -> str:
    """The last python program `source` wrote (its message's python blocks joined)."""
    for message in reversed(messages):
        if message["source"] == source:
            program = final_program(message["content"])
            if program:
                return program
    return ""


def stopped_by(trace: RunTrace) -> str:
    """One of "timeout", "max_messages" or "other", from the run's flags and AutoGen's stop reason."""
    if trace.timed_out or "Timeout of" in trace.stop_reason:
        return "timeout"
    if "Maximum number of messages" in trace.stop_reason:
        return "max_messages"
    return "other"


def said_done(source: str) -> FunctionalTermination:
    """Stop when `source` says DONE without new code, once some code has run (code in the same
    message still gets run; a first reply that only mentions DONE is no result)."""
    ran: list[bool] = []

    def check(messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> bool:
        for m in messages:
            if isinstance(m, CodeExecutionEvent):
                ran.append(True)
            elif isinstance(m, BaseChatMessage) and m.source == source and ran and code_turn.said_done(m.to_text()):
                return True
        return False

    return FunctionalTermination(check)


def ran_cleanly(executor: str) -> FunctionalTermination:
    """Stop once the sandbox ran the code with exit code 0 and printed something: the run is the evidence.

    A small model rarely says DONE; without this it re-sends working code until the message limit.
    """

    def check(messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> bool:
        return any(
            isinstance(m, CodeExecutionEvent)
            and m.source == executor
            and code_turn.ran_cleanly(m.result.exit_code, m.result.output)
            for m in messages
        )

    return FunctionalTermination(check)


async def run_persona_autogen(
    persona: Persona,
    task: str,
    gateway: Gateway,
    *,
    on_event: EventCallback | None = None,
    options: GenerationOptions | None = None,
    sandbox_limits: SandboxLimits | None = None,
) -> AgentReply:
    """One turn of `persona` on `task`; `options` override the persona's generation options.

    A task too long for the model's context window fails at once (AgentRunError); the
    reply's `context` says how the prompt fitted.
    """
    fitted = await fit_agent_task(gateway, persona, task)
    reply = await _turn(persona, task, gateway, on_event, options, sandbox_limits)
    return reply.model_copy(update={"context": fitted})


async def _turn(
    persona: Persona,
    task: str,
    gateway: Gateway,
    on_event: EventCallback | None,
    options: GenerationOptions | None,
    sandbox_limits: SandboxLimits | None,
) -> AgentReply:
    usage: list[Usage] = []
    client = await client_for(persona, gateway, usage, options)
    if persona.turn == "grade":
        return await _evaluate(persona, task, client, usage, on_event)
    if persona.turn == "code" and persona.uses_sandbox:
        return await _code(persona, task, client, usage, on_event, sandbox_limits)
    async with _mcp(persona, client) as mcp:
        agent = build_agent(persona, client, task=task, mcp=mcp)
        trace = await drive(agent, task, timeout_s=persona.timeout_s, clients=[client], on_event=on_event)
    text = trace.last_from(agent.name) or ""
    return _reply(persona, text, trace, usage, "timeout" if trace.timed_out else "completed")


def _mcp(persona: Persona, client: GatewayChatCompletionClient) -> AbstractAsyncContextManager[McpBenches]:
    """The turn's MCP workbenches (THINKROOM_MCP_SERVERS), started only if the model can call tools."""
    return persona_workbenches(persona.name, enabled=bool(client.model_info["function_calling"]))


async def _code(
    persona: Persona,
    task: str,
    client: GatewayChatCompletionClient,
    usage: list[Usage],
    on_event: EventCallback | None,
    limits: SandboxLimits | None,
) -> AgentReply:
    async with _mcp(persona, client) as mcp:
        coder = build_agent(persona, client, task=task, mcp=mcp)
        executor = SandboxExecutorAgent(EXECUTOR, sources=[coder.name], limits=limits)
        max_messages = 2 * persona.max_iterations
        termination = (
            said_done(coder.name)
            | ran_cleanly(executor.name)
            | MaxMessageTermination(max_messages)
            | TimeoutTermination(persona.timeout_s)
        )
        team = RoundRobinGroupChat([coder, executor], termination_condition=termination)
        trace = await drive(team, task, timeout_s=persona.timeout_s, clients=[client], on_event=on_event)
    stop = "done" if stopped_by(trace) == "other" else stopped_by(trace)
    return _reply(persona, _coder_text(trace, coder.name), trace, usage, stop)


def _coder_text(trace: RunTrace, coder: str) -> str:
    """The solution, its last sandbox output and the coder's closing words (rendered as on CrewAI)."""
    code = last_python(trace.messages, coder)
    last = trace.executions[-1] if trace.executions else None
    final = trace.last_from(coder) or ""
    closing = final if final and not extract_code_blocks(final) else ""
    return coder_text(code, (last.exit_code, last.output) if last else None, closing) or final


async def _evaluate(
    persona: Persona, task: str, client: GatewayChatCompletionClient, usage: list[Usage], on_event: EventCallback | None
) -> AgentReply:
    grounded = await evaluate_grounded(persona, task, client, on_event)
    if grounded is not None:  # an answer the course can check: the grounded grader decides
        grade, trace = grounded
        stop = "timeout" if trace.timed_out or grade is None else "completed"
        reply = _reply(persona, grade.render() if grade is not None else "", trace, usage, stop)
        return reply.model_copy(update={"grounding": grade.model_dump(mode="json") if grade is not None else None})
    async with _mcp(persona, client) as mcp:
        agent = build_agent(persona, client, task=task, mcp=mcp)
        trace = await drive(agent, task, timeout_s=persona.timeout_s, clients=[client], on_event=on_event)
    stop = "timeout" if trace.timed_out else "completed"
    return _reply(persona, trace.last_from(agent.name) or "", trace, usage, stop)


def _reply(persona: Persona, text: str, trace: RunTrace, usage: list[Usage], stop_reason: str) -> AgentReply:
    return AgentReply(
        persona=persona.name,
        framework="autogen",
        text=text,
        steps=trace.steps,
        usage=list(usage),
        stop_reason=stop_reason,
    )


__all__ = ["client_for", "last_python", "run_persona_autogen", "stopped_by"]
