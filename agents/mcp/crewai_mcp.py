"""MCP tools for a CrewAI agent, through CrewAI's own MCP client (`crewai.mcp`).

CrewAI's resolver starts each server once to list its tools (and turns their JSON schemas
into argument models); each call then opens a fresh `MCPClient` session, as CrewAI's native
tools do, but without retries (a tool with side effects must not run three times) and with
a teardown error after the result ignored (CrewAI 1.15's native tool loses a good HTTP
result to one: "exit cancel scope in a different task"). Calls and results reach the
turn's StepRecorder like a concept tool's, under the server's own tool name (as AutoGen's
workbench shows it). A server that cannot start fails the turn with an error naming it;
one that dies mid-turn gives that call an error result the model and the events see.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar

from crewai.mcp import MCPClient, MCPServerConfig, MCPServerHTTP, MCPServerStdio
from crewai.mcp.transports.http import HTTPTransport
from crewai.mcp.transports.stdio import StdioTransport
from crewai.tools import BaseTool
from crewai.utilities.logger import Logger
from pydantic import PrivateAttr

from .config import McpServer, McpServerError, StdioServer, servers_for

log = logging.getLogger(__name__)
T = TypeVar("T")

#: (kind, data) listener: "tool_call" before the server is asked, "tool_result" after.
ToolObserver = Callable[[str, dict[str, Any]], None]
#: Results longer than this are cut, as concept results are: small models drown in long text.
MAX_RESULT_CHARS = 2000


def crewai_config(server: McpServer) -> MCPServerConfig:
    """The server as CrewAI's own MCP config."""
    if isinstance(server, StdioServer):
        return MCPServerStdio(command=server.command, args=list(server.args), env=dict(server.env) or None)
    return MCPServerHTTP(url=server.url, headers=dict(server.headers) or None, streamable=True)


def crewai_client(server: McpServer) -> MCPClient:
    """A fresh CrewAI MCP client for one call: the server's timeout, no retries."""
    transport: StdioTransport | HTTPTransport
    if isinstance(server, StdioServer):
        transport = StdioTransport(command=server.command, args=list(server.args), env=dict(server.env) or None)
    else:
        transport = HTTPTransport(url=server.url, headers=dict(server.headers) or None, streamable=True)
    seconds = max(1, round(server.timeout_s))
    return MCPClient(transport, connect_timeout=seconds, execution_timeout=seconds, max_retries=1)


async def call_tool(server: McpServer, tool: str, arguments: dict[str, Any]) -> tuple[str, bool]:
    """(text, is_error) of one call on a fresh session."""
    client = crewai_client(server)
    await client.connect()
    try:
        result = await client.call_tool_result(tool, arguments)
    finally:
        try:
            await client.disconnect()
        except Exception:  # the result is in; a teardown hiccup must not lose it
            log.debug("MCP server %r: disconnect failed after %s", server.name, tool, exc_info=True)
    return result.content, result.is_error


def run_blocking(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to the end from synchronous code (CrewAI's tool thread), loop or no loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    context = contextvars.copy_context()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, asyncio.run, coro).result()


class McpTool(BaseTool):
    """One MCP server tool as the agent sees it: CrewAI's discovered tool, called and observed here."""

    server: str
    _config: McpServer = PrivateAttr()
    _observer: ToolObserver | None = PrivateAttr(default=None)

    def observe(self, observer: ToolObserver | None) -> None:
        """Report this tool's calls and results to `observer` (the turn's StepRecorder)."""
        self._observer = observer

    @classmethod
    def wrap(cls, native: BaseTool, server: McpServer, observer: ToolObserver | None) -> McpTool:
        name = str(getattr(native, "original_tool_name", native.name))
        tool = cls(name=name, description=native.description, args_schema=native.args_schema, server=server.name)
        tool._config = server
        tool._observer = observer
        return tool

    def _run(self, **kwargs: Any) -> str:
        arguments = {k: v for k, v in kwargs.items() if v is not None}
        self._notify("tool_call", {"tool": self.name, "server": self.server, "arguments": arguments})
        try:
            text, error = run_blocking(call_tool(self._config, self.name, arguments))
        except Exception as exc:  # noqa: BLE001 - a dead or failing server is this call's error result
            text, error = f"ERROR MCP server {self.server!r} failed on {self.name}: {_first_line(exc)}", True
        else:
            if error:
                text = f"ERROR from {self.name}: {text}"
        if len(text) > MAX_RESULT_CHARS:
            text = text[:MAX_RESULT_CHARS] + f"... [truncated, {len(text)} characters in full]"
        self._notify("tool_result", {"tool": self.name, "server": self.server, "result": text, "error": error})
        return text

    def _notify(self, kind: str, data: dict[str, Any]) -> None:
        if self._observer is not None:
            self._observer(kind, data)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _resolve(server: McpServer) -> list[BaseTool]:
    """CrewAI's resolver, blocking: starts the server, lists its tools and stops it."""
    from crewai.events.event_listener import EventListener
    from crewai.mcp import MCPToolResolver

    EventListener().formatter.verbose = False  # as our quiet crews set it: no console panels per connection
    resolver = MCPToolResolver(agent=None, logger=Logger(verbose=False))
    return list(resolver.resolve([crewai_config(server)]))


async def crewai_mcp_tools(servers: Sequence[McpServer], observer: ToolObserver | None = None) -> list[McpTool]:
    """The tools of every server, observed; McpServerError if one cannot start in its timeout."""
    tools: list[McpTool] = []
    for server in servers:
        try:
            native = await asyncio.wait_for(asyncio.to_thread(_resolve, server), server.timeout_s)
        except TimeoutError:
            raise McpServerError(server, f"did not start and list its tools within {server.timeout_s:g}s") from None
        except Exception as exc:  # whatever CrewAI raises, the turn gets one clear error
            raise McpServerError(server, f"could not start: {_first_line(exc)}", cause=exc) from exc
        if not native:
            raise McpServerError(server, "offers no tools")
        tools.extend(McpTool.wrap(tool, server, observer) for tool in native)
    return tools


async def persona_mcp_tools(persona: str, servers: Sequence[McpServer] | None = None) -> list[McpTool]:
    """The MCP tools `persona` is offered (THINKROOM_MCP_SERVERS unless `servers` is given)."""
    return await crewai_mcp_tools(servers_for(persona, None if servers is None else list(servers)))


__all__ = [
    "MAX_RESULT_CHARS",
    "McpTool",
    "call_tool",
    "crewai_client",
    "crewai_config",
    "crewai_mcp_tools",
    "persona_mcp_tools",
    "run_blocking",
]
