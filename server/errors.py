"""One JSON error shape for the whole API: {"error": {"code", "message", ...}}.

Gateway faults map to honest HTTP codes (503 unavailable, 504 timeout, 424 missing
model with the pull hint) and nothing ever leaks a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException  # FastAPI's subclasses it; routing and body decoding raise this one

from agents.llm.errors import (
    BackendError,
    BackendTimeout,
    BackendUnavailable,
    GatewayError,
    InvalidRequest,
    ModelNotFound,
    NoScriptedRule,
)

log = logging.getLogger("thinkroom.server")

GATEWAY_STATUS: dict[type[GatewayError], int] = {
    BackendUnavailable: 503,
    BackendTimeout: 504,
    ModelNotFound: 424,
    InvalidRequest: 400,
    NoScriptedRule: 502,
    BackendError: 502,
}


#: The largest list offset a request may ask for: SQLite's integers are 64-bit, and no listing is this long.
MAX_OFFSET = 1_000_000_000


class NotStorable(ValueError):
    """A value JSON storage cannot hold (an integer beyond 64 bits): bad input, answered 422."""


class ApiError(Exception):
    """Raise from a route to answer with `status` and the standard error body."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def invalid_field(field: str, message: str) -> ApiError:
    """A 422 naming one field, in the shape of FastAPI's validation errors (describe_validation)."""
    return ApiError(422, "invalid_input", f"invalid input: {field}: {message}",
                    fields=[{"field": field, "message": message, "type": "value_error"}])


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}, "detail": message}


def gateway_status(exc: GatewayError) -> int:
    for cls in type(exc).__mro__:
        if cls in GATEWAY_STATUS:
            return GATEWAY_STATUS[cls]
    return 502


def describe_validation(errors: list[Any]) -> tuple[str, list[dict[str, Any]]]:
    """A one-line message naming each bad field, plus the structured list."""
    fields = []
    parts = []
    for err in errors:
        if err.get("type") == "json_invalid":  # its loc is ("body", offset): a position, not a field
            position = next((p for p in err.get("loc", ()) if isinstance(p, int)), None)
            where = f" at character {position}" if position is not None else ""
            message = f"the request body is not valid JSON ({err.get('msg', 'invalid')}{where})"
            fields.append({"field": "body", "message": message, "type": "json_invalid"})
            parts.append(message)
            continue
        path = list(err.get("loc", ()))  # only the first item says where (body, query, path): a field may be "query"
        loc = [str(p) for p in (path[1:] if path[:1] in (["body"], ["query"], ["path"]) else path)]
        field = ".".join(loc) or "body"
        fields.append({"field": field, "message": err.get("msg", "invalid"), "type": err.get("type")})
        parts.append(f"{field}: {err.get('msg', 'invalid')}")
    return "invalid input: " + "; ".join(parts), fields


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, **exc.extra), status_code=exc.status)

    @app.exception_handler(GatewayError)
    async def _gateway_error(_: Request, exc: GatewayError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message, backend=exc.backend, model=exc.model), status_code=gateway_status(exc)
        )

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, fields = describe_validation(list(exc.errors()))
        return JSONResponse(error_body("invalid_input", message, fields=fields), status_code=422)

    @app.exception_handler(ValidationError)
    async def _model_invalid(_: Request, exc: ValidationError) -> JSONResponse:
        message, fields = describe_validation(list(exc.errors()))
        return JSONResponse(error_body("invalid_input", message, fields=fields), status_code=422)

    @app.exception_handler(NotStorable)
    async def _not_storable(_: Request, exc: NotStorable) -> JSONResponse:
        return JSONResponse(error_body("invalid_input", str(exc)), status_code=422)

    @app.exception_handler(HTTPException)
    async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 409: "conflict", 413: "too_large"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return JSONResponse(error_body("internal_error", f"internal error: {type(exc).__name__}"), status_code=500)
