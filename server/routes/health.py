"""Liveness and what the service runs on."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from server.version import VERSION

router = APIRouter(tags=["health"])


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
        "backend_reason": gateway.selection_reason,
        "version": VERSION,
    }
