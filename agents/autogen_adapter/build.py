"""Build an AutoGen AssistantAgent for any persona from its framework-neutral definition.

Tools: the concept tools `agents.concept_tools.shortlist_specs` picks for the task (the
same shortlist the CrewAI adapter offers) are attached only when the model really supports tool
calling (client.model_info["function_calling"], from the gateway's capabilities). On a
model without tools they are skipped, not described in the prompt: nothing would execute
a described call, so the model would only invent results. The system prompt then says no
tools are available so the persona does not claim to have computed anything.
"""

from __future__ import annotations

from autogen_agentchat.agents import AssistantAgent
from autogen_core.model_context import TokenLimitedChatCompletionContext
from autogen_core.tools import StaticStreamWorkbench, Workbench

from agents.concept_tools import shortlist_specs
from agents.mcp.autogen_mcp import McpBenches
from agents.personas import Persona

from .client import GatewayChatCompletionClient
from .tools import concept_function_tool

NO_TOOLS_NOTE = (
    "No tools are available in this session: do not claim to have run or computed anything; "
    "say which numbers the learner should check with the concept lab."
)


def agent_name(persona: Persona) -> str:
    """AutoGen names must be identifiers: "prompt-engineer" -> "prompt_engineer"."""
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in persona.name)
    return name if name.isidentifier() else f"agent_{name}"


def build_agent(
    persona: Persona,
    client: GatewayChatCompletionClient,
    *,
    task: str = "",
    tools: bool = True,
    name: str | None = None,
    mcp: McpBenches | None = None,
) -> AssistantAgent:
    """An AssistantAgent that streams tokens, uses the persona's tools shortlisted for `task` if
    the model can call them, and keeps its history within the model's context window.

    `mcp` holds the turn's started MCP workbenches (agents.mcp.autogen_mcp): their tools are
    offered beside the concept tools, which then go into a workbench of their own."""
    wants_tools = tools and bool(persona.tools)
    can_call = bool(client.model_info["function_calling"])
    specs = shortlist_specs(persona.tools, task) if wants_tools and can_call else []
    agent_tools = [concept_function_tool(spec) for spec in specs]
    mcp_benches: list[Workbench] = list(mcp.workbenches) if mcp is not None and can_call else []
    system = persona.system_prompt()
    if wants_tools and not can_call:
        system = f"{system}\n{NO_TOOLS_NOTE}"
    schemas = [t.schema for t in agent_tools] + (list(mcp.schemas) if mcp is not None and mcp_benches else [])
    context = TokenLimitedChatCompletionContext(client, token_limit=client.history_budget(system, schemas))
    workbench = [StaticStreamWorkbench(list(agent_tools)), *mcp_benches] if mcp_benches else None
    return AssistantAgent(
        name or agent_name(persona),
        model_client=client,
        tools=None if workbench else list(agent_tools) or None,
        workbench=workbench,
        model_context=context,
        description=persona.goal,
        system_message=system,
        model_client_stream=True,
        reflect_on_tool_use=bool(schemas),  # answer in words after the tool result, not the raw JSON
        max_tool_iterations=max(1, persona.max_iterations),
    )


__all__ = ["NO_TOOLS_NOTE", "agent_name", "build_agent"]
