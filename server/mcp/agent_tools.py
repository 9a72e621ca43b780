"""Every persona (tutor, coder, evaluator, prompt-engineer) as an MCP tool `agent_<name>`.

A call is one agent turn: a run of the `chat` workflow with the persona set, through the
RunManager like any API run, so it is stored on a thread the caller can continue by
passing the `thread_id` the last call returned.
"""

from __future__ import annotations

from typing import Any

from mcp import types
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.personas import PERSONAS, Persona
from server.runs.manager import RunManager
from server.runs.schemas import RunCreate

from .errors import ToolError, validation_message
from .running import effective_timeout, run_and_wait

PREFIX = "agent_"


class AgentArguments(BaseModel):
    """What an agent tool takes."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, description="What to ask the agent.")
    thread_id: str | None = Field(
        default=None,
        min_length=1,
        description="Continue the conversation on this thread (the thread_id an earlier call returned); "
        "omit to start a new thread.",
    )
    timeout_s: float | None = Field(
        default=None, gt=0, description="Give up and cancel the run after this many seconds (capped by the server)."
    )


def agent_tools() -> list[types.Tool]:
    schema = AgentArguments.model_json_schema()
    return [
        types.Tool(
            name=PREFIX + name,
            title=f"{persona.role} ({name})",
            description=f"Ask the {name} agent ({persona.role}, on {persona.framework}): {persona.goal} "
            "Runs one agent turn and waits for the answer; returns it with the run and thread ids.",
            inputSchema=schema,
            annotations=types.ToolAnnotations(readOnlyHint=False, destructiveHint=False, openWorldHint=False),
        )
        for name, persona in PERSONAS.items()
    ]


def persona_of(tool: str) -> Persona | None:
    return PERSONAS.get(tool.removeprefix(PREFIX)) if tool.startswith(PREFIX) else None


async def call_agent(
    manager: RunManager, persona: Persona, arguments: dict[str, Any], limit_s: float
) -> tuple[list[types.ContentBlock], dict[str, Any]]:
    """Run the persona's turn and wait; the answer as text, and with the run's ids as structured content."""
    tool = PREFIX + persona.name
    try:
        args = AgentArguments.model_validate(arguments)
    except ValidationError as exc:
        raise ToolError(f"invalid arguments for {tool}: {validation_message(exc)}") from None
    body = RunCreate(
        assistant_id="chat",
        input={"messages": [{"role": "user", "content": args.message}], "agent": persona.name},
        if_not_exists="create",
        metadata={"source": "mcp", "tool": tool},
    )
    result = await run_and_wait(manager, body, args.thread_id, effective_timeout(args.timeout_s, limit_s), tool)
    answer = result.output.get("answer")
    if not isinstance(answer, str):
        raise ToolError(f"{tool}: run {result.run_id} finished without an answer")
    return [types.TextContent(type="text", text=answer)], {"agent": persona.name, "answer": answer, **result.where()}
