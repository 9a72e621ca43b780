"""The MCP server itself: lists the tools and resources and routes each call to its module.

Tool lists are built per request (cheap; workflows registered by THINKROOM_EXTRA_GRAPHS
included). A failure the caller should read raises `ToolError`; anything else is logged
here and still answered as a tool error (isError) naming the exception, never a crash.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from mcp import types
from mcp.server.lowlevel import Server
from pydantic import AnyUrl

from agents.llm.gateway import Gateway
from agents.settings import Settings
from server.runs.manager import RunManager
from server.version import VERSION

from . import resources
from .agent_tools import agent_tools, call_agent, persona_of
from .concepts import all_concepts, call_concept, concept_tools
from .errors import ToolError, schema_problem
from .workflow_tools import call_workflow, workflow_of, workflow_tool, workflow_tools

log = logging.getLogger("thinkroom.mcp")

INSTRUCTIONS = (
    "thinkroom teaches generative AI. concept_* tools compute a concept exactly (use them for every number); "
    "agent_* tools ask a persona (tutor, coder, evaluator, prompt-engineer); workflow_* tools run a whole "
    "workflow. Agent and workflow calls are stored runs: pass the returned thread_id to continue. "
    "Resources: the course notes (whole or by section) and their errata."
)

ToolOutput = dict[str, Any] | tuple[list[types.ContentBlock], dict[str, Any]]


def build_server(app: FastAPI, settings: Settings) -> Server[Any, Any]:
    """A low-level MCP server over the app's gateway and RunManager (both read per call)."""
    server: Server[Any, Any] = Server("thinkroom", version=VERSION, instructions=INSTRUCTIONS)
    concepts = all_concepts()
    static_tools = concept_tools() + agent_tools()
    static_by_name = {tool.name: tool for tool in static_tools}

    def find_tool(name: str) -> types.Tool | None:
        if (spec := workflow_of(name)) is not None:
            return workflow_tool(app.state.runs, spec)
        return static_by_name.get(name)

    @server.list_tools()
    async def list_tools() -> list[types.Tool]:
        return static_tools + workflow_tools(app.state.runs)

    @server.call_tool(validate_input=False)  # checked here, with the field named
    async def call_tool(name: str, arguments: dict[str, Any]) -> ToolOutput:
        try:
            tool = find_tool(name)
            if tool is None:
                raise ToolError(f"unknown tool {name!r}; tools/list names every tool")
            if (problem := schema_problem(tool.inputSchema, arguments)) is not None:
                raise ToolError(f"invalid arguments for {name}: {problem}")
            return await dispatch(name, arguments)
        except ToolError:
            raise
        except Exception as exc:
            log.exception("MCP tool %s failed", name)
            raise ToolError(f"{name} failed: {type(exc).__name__}: {exc}") from None

    async def dispatch(name: str, arguments: dict[str, Any]) -> ToolOutput:
        gateway: Gateway = app.state.gateway
        manager: RunManager = app.state.runs
        limit = settings.mcp_tool_timeout_s
        if (concept := concepts.get(name)) is not None:
            return await call_concept(concept, arguments, gateway)
        if (persona := persona_of(name)) is not None:
            return await call_agent(manager, persona, arguments, limit)
        if (spec := workflow_of(name)) is not None:
            return await call_workflow(manager, spec, arguments, limit)
        raise ToolError(f"unknown tool {name!r}; tools/list names every tool")

    @server.list_resources()
    async def list_resources() -> list[types.Resource]:
        return resources.list_resources()

    @server.read_resource()
    async def read_resource(uri: AnyUrl) -> Any:
        return resources.read_resource(str(uri))

    return server
