"""One error type for every way an AutoGen run can fail, so callers need not know AutoGen."""

from __future__ import annotations

from agents.llm.errors import (
    BackendTimeout,
    BackendUnavailable,
    GatewayError,
    InvalidRequest,
    ModelNotFound,
    NoScriptedRule,
)

_PREFIXES: tuple[tuple[type[GatewayError], str], ...] = (
    (BackendUnavailable, "model backend unavailable"),
    (ModelNotFound, "model not found"),
    (BackendTimeout, "model backend timed out"),
    (NoScriptedRule, "scripted model has no answer"),
    (InvalidRequest, "invalid model request"),
)


class AgentRunError(RuntimeError):
    """An AutoGen agent or team could not finish; `cause` is the original error (often a GatewayError).

    `stop_reason` is a short machine-readable word ("error", "timeout", "cancelled")
    that callers copy into AgentReply.stop_reason.
    """

    def __init__(self, message: str, *, cause: BaseException | None = None, stop_reason: str = "error") -> None:
        super().__init__(message)
        self.cause = cause
        self.stop_reason = stop_reason

    @classmethod
    def from_gateway(cls, error: GatewayError) -> AgentRunError:
        """A clear message naming what failed, e.g. "model not found: pull llama3.2:3b first"."""
        prefix = next((p for kind, p in _PREFIXES if isinstance(error, kind)), "model backend error")
        where = "/".join(part for part in (error.backend, error.model) if part)
        return cls(f"{prefix}{f' ({where})' if where else ''}: {error.message}", cause=error)


__all__ = ["AgentRunError"]
