"""Liveness and what the service runs on.

On the Ollama backend `/health` also says whether the default model is there yet (`model_ready`,
and `model_status` with the hint when it is not): with docker compose thinkroom starts at once
while the `ollama-pull` service may still be downloading the model. The check is bounded by a
short timeout and cached for a few seconds, so `/health` stays cheap and never waits on Ollama.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter, Request

from agents.llm.errors import GatewayError, ModelNotFound
from server.version import VERSION

router = APIRouter(tags=["health"])
MODEL_CHECK_TIMEOUT_S = 1.5
MODEL_CHECK_TTL_S = 5.0
PULL_HINT = "it may still be downloading on first start (docker compose logs -f ollama-pull)"


async def model_status(request: Request) -> dict[str, Any]:
    """{"model_ready": bool | None, "model_status": str} for the Ollama backend, else {}."""
    gateway = request.app.state.gateway
    if gateway.backend_name != "ollama":
        return {}
    cached = getattr(request.app.state, "model_status", None)
    if cached is not None and time.monotonic() - cached[0] < MODEL_CHECK_TTL_S:
        return dict(cached[1])
    try:
        await asyncio.wait_for(gateway.model_info(), MODEL_CHECK_TIMEOUT_S)
        status: dict[str, Any] = {"model_ready": True, "model_status": "available"}
    except ModelNotFound as exc:
        status = {"model_ready": False, "model_status": f"{exc.message}; {PULL_HINT}"}
    except (GatewayError, TimeoutError) as exc:
        reason = exc.message if isinstance(exc, GatewayError) else "Ollama did not answer in time"
        status = {"model_ready": None, "model_status": f"cannot check the model yet: {reason}"}
    request.app.state.model_status = (time.monotonic(), status)
    return status


@router.get("/health")
async def health(request: Request) -> dict[str, Any]:
    """Status, chosen backend and default model; answers before any model is loaded."""
    gateway = request.app.state.gateway
    ready = getattr(request.app.state, "ready", None)
    error = getattr(request.app.state, "startup_error", None)
    return {
        "status": "error" if error else "ok",
        "ready": bool(ready is not None and ready.is_set() and not error),
        **({"startup_error": error} if error else {}),
        "backend": gateway.backend_name,
        "model": gateway.default_model,
        **await model_status(request),
        "backend_reason": gateway.selection_reason,
        "version": VERSION,
    }
