"""MCP tools for an AutoGen agent, through AutoGen's own `McpWorkbench` (autogen_ext.tools.mcp).

One workbench per server is started for the turn and stopped after it. AssistantAgent
drives the workbench like its own tools, so MCP calls and results arrive as the same
ToolCallRequest/ExecutionEvents (hence the same "tool_call"/"tool_result" events) as the
concept tools. A server that cannot start or list its tools in its timeout fails the turn
with an error naming it; one that dies mid-turn gives that call an error result.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from autogen_core import CancellationToken
from autogen_core.tools import TextResultContent, ToolResult, ToolSchema
from autogen_ext.tools.mcp import McpServerParams, McpWorkbench, StdioServerParams, StreamableHttpServerParams

from .config import McpServer, McpServerError, StdioServer, servers_for

log = logging.getLogger(__name__)

#: Seconds to wait for a workbench to shut its session down after the turn.
STOP_TIMEOUT_S = 5.0


@dataclass
class McpBenches:
    """The turn's started workbenches and the schemas of their tools (for the context budget)."""

    workbenches: list[ServerWorkbench] = field(default_factory=list)
    schemas: list[ToolSchema] = field(default_factory=list)


def server_params(server: McpServer) -> McpServerParams:
    """The server as AutoGen's own MCP parameters; its timeout bounds each read."""
    if isinstance(server, StdioServer):
        return StdioServerParams(
            command=server.command,
            args=list(server.args),
            env=dict(server.env) or None,
            read_timeout_seconds=server.timeout_s,
        )
    return StreamableHttpServerParams(
        url=server.url,
        headers=dict(server.headers) or None,
        timeout=server.timeout_s,
        sse_read_timeout=server.timeout_s,
    )


class ServerWorkbench(McpWorkbench):
    """AutoGen's McpWorkbench, listing the server's tools once per turn, with error results that name it.

    AssistantAgent lists a workbench's tools before every model call; asking a server that
    died mid-turn again would end the whole run, while the call that met it already reports
    the failure to the model. A dead server's error otherwise says only "\\n".
    """

    def __init__(self, server: McpServer) -> None:
        super().__init__(server_params(server))
        self.server = server
        self._listed: list[ToolSchema] | None = None

    async def list_tools(self) -> list[ToolSchema]:
        if self._listed is None:
            self._listed = list(await super().list_tools())
        return list(self._listed)

    async def call_tool(
        self,
        name: str,
        arguments: Mapping[str, Any] | None = None,
        cancellation_token: CancellationToken | None = None,
        call_id: str | None = None,
    ) -> ToolResult:
        result = await super().call_tool(name, arguments, cancellation_token, call_id)
        if not result.is_error:
            return result
        detail = result.to_text().strip() or "the server is not running (it exited or failed to answer)"
        text = f"ERROR MCP server {self.server.name!r} failed on {name}: {detail}"
        return result.model_copy(update={"result": [TextResultContent(content=text)]})


def problem(exc: BaseException) -> str:
    """The innermost readable cause of an SDK failure (exception groups and wrapped errors unwrapped)."""
    while True:
        if isinstance(exc, BaseExceptionGroup) and exc.exceptions:
            exc = exc.exceptions[0]
            continue
        inner = next((a for a in exc.args if isinstance(a, BaseException)), None)
        if inner is None:
            break
        exc = inner
    text = str(exc).strip()
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    return (text.splitlines()[0] if text else "") or type(exc).__name__


async def _stop(bench: McpWorkbench) -> None:
    """Stop a workbench without failing the turn; its actor's atexit hook is dropped (no leak per turn)."""
    actor = getattr(bench, "_actor", None)
    if actor is not None:
        atexit.unregister(actor._sync_shutdown)
    try:
        await asyncio.wait_for(bench.stop(), STOP_TIMEOUT_S)
    except Exception:  # a dead server has nothing left to stop
        log.debug("MCP workbench did not stop cleanly", exc_info=True)


async def _started(server: McpServer, stack: AsyncExitStack) -> tuple[ServerWorkbench, list[ToolSchema]]:
    bench = ServerWorkbench(server)
    await bench.start()
    stack.push_async_callback(_stop, bench)
    try:
        schemas = await asyncio.wait_for(bench.list_tools(), server.timeout_s)
    except TimeoutError:
        raise McpServerError(server, f"did not start and list its tools within {server.timeout_s:g}s") from None
    except Exception as exc:  # whatever the SDK raises, the turn gets one clear error
        raise McpServerError(server, f"could not start: {problem(exc)}", cause=exc) from exc
    if not schemas:
        raise McpServerError(server, "offers no tools")
    return bench, list(schemas)


@asynccontextmanager
async def mcp_workbenches(servers: Sequence[McpServer]) -> AsyncIterator[McpBenches]:
    """Every server's workbench, started and listed, for the duration of the block."""
    benches = McpBenches()
    async with AsyncExitStack() as stack:
        for server in servers:
            bench, schemas = await _started(server, stack)
            benches.workbenches.append(bench)
            benches.schemas.extend(schemas)
        yield benches


@asynccontextmanager
async def persona_workbenches(persona: str, *, enabled: bool = True) -> AsyncIterator[McpBenches]:
    """The workbenches of the servers `persona` is offered (none when not `enabled`, e.g. no tool calling)."""
    async with mcp_workbenches(servers_for(persona) if enabled else []) as benches:
        yield benches


__all__ = ["McpBenches", "ServerWorkbench", "mcp_workbenches", "persona_workbenches", "problem", "server_params"]
