"""Mounting `/mcp` during warm-up, without making the rest of the API wait for the MCP SDK.

`serve_mcp` adds the route at once and starts the MCP server in a task of its own: the SDK
is imported on a worker thread (about a second and a half on a busy machine), then the
session manager's `run()` is held open. That context holds an anyio task group, which must
be entered and exited by one task; warm-up and shutdown run in different tasks, hence the
dedicated one. A request that arrives before the server is up waits for it; one that arrives
after it failed (or while it stops) is a 503 naming why.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from agents.settings import Settings
from server.errors import error_body
from server.security import send_json

PATH = "/mcp"
log = logging.getLogger("thinkroom.mcp")


class McpService:
    """The MCP session manager's lifetime (in its own task), and the ASGI endpoint of `/mcp`."""

    def __init__(self, app: FastAPI, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self.sessions: Any = None  # the StreamableHTTPSessionManager while it runs
        self.error: str | None = None
        self.settled = asyncio.Event()  # up, or failed to come up
        self.stop = asyncio.Event()

    async def hold(self) -> None:
        """Import the SDK off the loop, build the server, and keep its session manager running until `stop`."""
        try:
            factory = await asyncio.to_thread(importlib.import_module, "server.mcp.sessions")
            sessions = factory.session_manager(self.app, self.settings)
            async with sessions.run():
                self.sessions = sessions
                self.settled.set()
                await self.stop.wait()
        except Exception as exc:  # reported on every /mcp request
            log.exception("the MCP server failed")
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.sessions = None
            self.settled.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.settled.wait()
        sessions = self.sessions
        if sessions is None:
            why = f"it failed to start: {self.error}" if self.error else "the server is stopping"
            await send_json(send, 503, error_body("unavailable", f"the MCP server is not available: {why}"))
            return
        await sessions.handle_request(scope, receive, send)


@asynccontextmanager
async def serve_mcp(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    """Serve the MCP server at `/mcp` until the app shuts down (needs `app.state.runs`, so after the runs API)."""
    service = McpService(app, settings)
    task = asyncio.create_task(service.hold(), name="mcp-sessions")
    app.router.routes.append(Route(PATH, endpoint=service, include_in_schema=False))
    try:
        yield
    finally:
        service.stop.set()
        if not service.settled.is_set():
            task.cancel()  # still importing or building: nothing to close
        with contextlib.suppress(asyncio.CancelledError):
            await task
