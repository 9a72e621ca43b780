"""Mounting `/mcp` on the app during warm-up, with the session manager's lifetime in its own task.

The SDK's `StreamableHTTPSessionManager.run()` holds an anyio task group, which must be
entered and exited by the same task; warm-up runs in one task and shutdown in another, so
the manager runs in a task of its own that `serve_mcp` starts and stops. Sessions are
stateless (every request stands alone), so `/mcp` works behind any replica.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from agents.settings import Settings

from .server import build_server

PATH = "/mcp"


class McpEndpoint:
    """The ASGI endpoint of the route (an object, not a function, so Starlette passes the raw ASGI call)."""

    def __init__(self, sessions: StreamableHTTPSessionManager) -> None:
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.sessions.handle_request(scope, receive, send)


@asynccontextmanager
async def hold_sessions(sessions: StreamableHTTPSessionManager) -> AsyncIterator[None]:
    """Run the session manager in a dedicated task until the context exits (then stop it and wait)."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with sessions.run():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold(), name="mcp-sessions")
    ready = asyncio.create_task(started.wait())
    await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    ready.cancel()
    if task.done():
        task.result()  # it failed to start: raise why
    try:
        yield
    finally:
        stop.set()
        await task


@asynccontextmanager
async def serve_mcp(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    """Serve the MCP server at `/mcp` until the app shuts down (needs `app.state.runs`, so after the runs API)."""
    sessions = StreamableHTTPSessionManager(
        build_server(app, settings), stateless=True, max_request_body_size=settings.max_body_bytes
    )
    async with hold_sessions(sessions):
        app.router.routes.append(Route(PATH, endpoint=McpEndpoint(sessions), include_in_schema=False))
        yield
