"""Edge protection as plain ASGI middleware: API-key auth, a request-body cap and CORS.

Pure ASGI (not BaseHTTPMiddleware) so streamed responses (SSE) pass through untouched.
Policy:
  * With `THINKROOM_API_KEY` set, every route except `GET /health` and the dashboard's
    own page and assets (`/`, `/static/*`: static files with no data) needs
    `Authorization: Bearer <key>` or `X-Api-Key: <key>` - including `/docs` and
    `/openapi.json`, since the schema reveals the whole surface. Keys are compared with
    `hmac.compare_digest`. CORS preflights (OPTIONS) are answered by the CORS layer,
    which sits outside auth, so browsers can discover that a key is needed.
  * A body larger than `max_body_bytes` is refused with 413, by its Content-Length or,
    for chunked uploads, by counting bytes as they arrive (the body is buffered up to the
    cap, so the app never sees a partial body).
  * Errors use the project's JSON shape, or OpenAI's under `/v1` so OpenAI SDKs raise
    their usual exceptions (e.g. `AuthenticationError`).
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agents.settings import Settings
from server.errors import error_body

PUBLIC_PATHS = frozenset({"/health", "/"})
#: The dashboard's static assets carry no data; the API calls they make still need the key.
PUBLIC_PREFIXES = ("/static/",)


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)
OPENAI_PREFIX = "/v1"


def openai_error(message: str, type_: str, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    """OpenAI's error body: {"error": {"message", "type", "param", "code"}}."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def is_openai_path(path: str) -> bool:
    return path == OPENAI_PREFIX or path.startswith(OPENAI_PREFIX + "/")


def edge_error(path: str, code: str, message: str, openai_type: str, openai_code: str | None = None) -> dict[str, Any]:
    """The error body for a path: OpenAI's shape under /v1, the project's elsewhere."""
    if is_openai_path(path):
        return openai_error(message, openai_type, openai_code or code)
    return error_body(code, message)


async def send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


def presented_key(scope: Scope) -> str | None:
    """The key from `Authorization: Bearer` or `X-Api-Key`, if any."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    auth = headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return headers.get("x-api-key") or None


def key_matches(presented: str | None, expected: str) -> bool:
    if presented is None:
        return False
    return hmac.compare_digest(presented.encode(), expected.encode())


class ApiKeyMiddleware:
    """401 unless the request carries the configured API key (public: /health and the dashboard shell)."""

    def __init__(self, app: ASGIApp, api_key: str) -> None:
        self.app, self.api_key = app, api_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if is_public(scope["path"]) or key_matches(presented_key(scope), self.api_key):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "missing or invalid API key"})
            return
        message = "missing or invalid API key: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'"
        body = edge_error(scope["path"], "unauthorized", message, "authentication_error", "invalid_api_key")
        await send_json(send, 401, body, {"www-authenticate": "Bearer"})


class BodyTooLarge(Exception):
    """The streamed body passed the cap."""


class BodyLimitMiddleware:
    """413 for bodies over `max_bytes`: by Content-Length up front, or counted while buffering."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared < 0:
                await self._refuse(scope, send, 400, "bad_request", "invalid Content-Length header")
                return
            if declared > self.max_bytes:
                await self._too_large(scope, send)
                return
            await self.app(scope, receive, send)
            return
        try:
            buffered = await self._read_capped(receive)
        except BodyTooLarge:
            await self._too_large(scope, send)
            return
        await self.app(scope, replay(buffered, receive), send)

    async def _read_capped(self, receive: Receive) -> list[Message]:
        """Read a body without Content-Length (chunked) up to the cap; keep other messages."""
        messages: list[Message] = []
        total = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages
            total += len(message.get("body", b""))
            if total > self.max_bytes:
                raise BodyTooLarge
            if not message.get("more_body", False):
                return messages

    async def _too_large(self, scope: Scope, send: Send) -> None:
        message = f"request body is larger than the {self.max_bytes}-byte limit (THINKROOM_MAX_BODY_BYTES)"
        await self._refuse(scope, send, 413, "too_large", message)

    async def _refuse(self, scope: Scope, send: Send, status: int, code: str, message: str) -> None:
        await send_json(send, status, edge_error(scope["path"], code, message, "invalid_request_error"))


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive() that hands out the buffered messages first, then defers to the server."""
    pending = list(messages)

    async def receive_again() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return receive_again


ROUTING_CODES = {404: "not_found", 405: "method_not_allowed"}


async def routing_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own 404/405 (no route matched) in the JSON error shape instead of {"detail": ...}."""
    assert isinstance(exc, StarletteHTTPException)
    code = ROUTING_CODES.get(exc.status_code, "http_error")
    message = f"{exc.detail}: {request.method} {request.url.path}"
    body = edge_error(request.url.path, code, message, "invalid_request_error")
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def install_security(app: FastAPI, settings: Settings) -> None:
    """Order matters: CORS outermost (answers preflights, decorates 401/413), then auth, then the body cap."""
    app.add_exception_handler(StarletteHTTPException, routing_error)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.api_key:
        app.add_middleware(ApiKeyMiddleware, api_key=settings.api_key)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["*"],
        allow_headers=["*"],
        allow_credentials=False,
    )
