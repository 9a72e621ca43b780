"""The SDK's streamable-HTTP session manager over the thinkroom MCP server (imported off the event loop)."""

from __future__ import annotations

from fastapi import FastAPI
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

from agents.settings import Settings

from .server import build_server


def session_manager(app: FastAPI, settings: Settings) -> StreamableHTTPSessionManager:
    """Stateless sessions (every request stands alone), so `/mcp` works behind any replica."""
    return StreamableHTTPSessionManager(
        build_server(app, settings), stateless=True, max_request_body_size=settings.max_body_bytes
    )
