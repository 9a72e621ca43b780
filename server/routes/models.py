"""The backend's models over HTTP: what is installed (with capabilities) and pulling more."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sse_starlette.sse import EventSourceResponse, ServerSentEvent

from agents.llm.errors import GatewayError
from agents.llm.gateway import Gateway
from agents.llm.types import ModelInfo, PullProgress
from server.errors import gateway_status

router = APIRouter(prefix="/api/models", tags=["models"])
log = logging.getLogger("thinkroom.models")


class PullRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="Model to pull, e.g. 'llama3.2:3b'.")


def describe(info: ModelInfo) -> dict[str, Any]:
    return {**info.model_dump(), "supports_tools": info.supports_tools}


@router.get("")
async def list_models(request: Request) -> dict[str, Any]:
    """The backend's models with capabilities, context length and size; which one is the default."""
    gateway: Gateway = request.app.state.gateway
    models = await gateway.list_models()
    return {
        "backend": gateway.backend_name,
        "default_model": gateway.default_model,
        "models": [describe(m) for m in models],
    }


def error_event(exc: BaseException) -> ServerSentEvent:
    if isinstance(exc, GatewayError):
        data = {"code": exc.code, "message": exc.message, "status": gateway_status(exc)}
    else:
        log.error("model pull failed", exc_info=exc)
        data = {"code": "internal_error", "message": f"internal error: {type(exc).__name__}", "status": 500}
    return ServerSentEvent(event="error", data=json.dumps(data))


async def pull_events(
    name: str, first: PullProgress | None, rest: AsyncIterator[PullProgress]
) -> AsyncIterator[ServerSentEvent]:
    """`progress` events, then `done`; any fault after the first report is an `error` event."""
    last = first
    try:
        if first is not None:
            yield ServerSentEvent(event="progress", data=first.model_dump_json())
            async for progress in rest:
                last = progress
                yield ServerSentEvent(event="progress", data=progress.model_dump_json())
        yield ServerSentEvent(
            event="done", data=json.dumps({"model": name, "status": last.status if last else "success"})
        )
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - reported in the stream, never a crash
        yield error_event(exc)


@router.post("/pull", response_model=None)
async def pull_model(request: Request, body: PullRequest) -> Response:
    """Pull a model (Ollama), streaming progress as SSE: `progress` {status, completed, total}, then `done` or `error`.

    A fault before the first progress report (no Ollama, unknown model, a backend that
    cannot pull) is a plain JSON error with its HTTP status instead of a stream.
    """
    gateway: Gateway = request.app.state.gateway
    progress = gateway.pull(body.name)
    try:
        first: PullProgress | None = await anext(progress)
    except StopAsyncIteration:
        first = None
    return EventSourceResponse(pull_events(body.name, first, progress), ping=15)
