"""Every failure on a /v1 route in OpenAI's shape {"error": {"message", "type", "param", "code"}}.

Validation errors name the field, backend faults keep their typed code and status, an input
problem a workflow finds mid-run is the caller's (400), and anything else is a one-line 500:
never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from server.errors import gateway_status
from server.security import openai_error
from workflows.runner import fault_of

log = logging.getLogger("thinkroom.openai")
MAX_MESSAGE_CHARS = 300


class OpenAIError(Exception):
    """An error answered in OpenAI's shape with `status`."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type_, param, code


def error_type(status: int) -> str:
    if status == 401:
        return "authentication_error"
    if status == 404:
        return "invalid_request_error"
    return "invalid_request_error" if status < 500 and status != 424 else "server_error"


def param_name(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """('body', 'messages', 0, 'content') -> 'messages[0].content'."""
    name = ""
    for part in loc:
        if part in ("body", "query", "path") and not name:
            continue
        if isinstance(part, int):
            name += f"[{part}]"
        elif not isinstance(part, str) or part.startswith(("function-", "union[", "str", "list[")):
            continue
        else:
            name += ("." if name else "") + part
    return name or None


def one_line(exc: BaseException) -> str:
    """An exception's message on one bounded line (its type name when it has none)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def run_error(exc: Exception, workflow: str) -> Exception:
    """A failure raised inside a workflow run, as /v1 answers it.

    Backend faults stay as they are (they carry their own code). A ValueError the workflow
    raised past the pre-run checks (bad messages, an input it cannot use) is the caller's:
    400 `invalid_input`. Anything else stays a 500 that `as_openai_error` names by type.
    """
    if isinstance(exc, OpenAIError) or fault_of(exc) is not None or not isinstance(exc, ValueError):
        return exc
    return OpenAIError(
        400, f"workflow {workflow} rejected the input: {one_line(exc)}", param="messages", code="invalid_input"
    )


def as_openai_error(exc: BaseException) -> OpenAIError:
    """Any failure on a /v1 route as an OpenAIError; never a traceback."""
    if isinstance(exc, OpenAIError):
        return exc
    if isinstance(exc, (RequestValidationError, ValidationError)):
        errors = list(exc.errors())
        first = errors[0] if errors else {}
        if first.get("type") == "json_invalid":
            return OpenAIError(400, f"the request body is not valid JSON: {first.get('msg', '')}", code="invalid_json")
        param = param_name(first.get("loc", ()))
        message = "; ".join(f"{param_name(e.get('loc', ())) or 'body'}: {e.get('msg', 'invalid')}" for e in errors)
        return OpenAIError(400, f"invalid request: {message}", param=param, code="invalid_value")
    gateway_error = fault_of(exc)  # an agent's or workflow's failure answers as the backend fault behind it
    if gateway_error is not None:
        status = gateway_status(gateway_error)
        return OpenAIError(status, gateway_error.message, type_=error_type(status), code=gateway_error.code)
    if isinstance(exc, HTTPException):  # starlette's: FastAPI raises it for a body that is not UTF-8
        code = "invalid_body" if exc.status_code == 400 else None
        return OpenAIError(exc.status_code, str(exc.detail), type_=error_type(exc.status_code), code=code)
    log.error("unhandled error on an OpenAI route", exc_info=exc)
    return OpenAIError(500, f"internal error: {type(exc).__name__}", type_="server_error", code="internal_error")


def error_response(exc: BaseException) -> JSONResponse:
    err = as_openai_error(exc)
    return JSONResponse(openai_error(err.message, err.type, err.code, err.param), status_code=err.status)


class OpenAIRoute(APIRoute):
    """Routes whose every failure (validation, gateway, unexpected) is answered in OpenAI's shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:  # noqa: BLE001 - every error becomes an OpenAI error body
                return error_response(exc)

        return guarded
