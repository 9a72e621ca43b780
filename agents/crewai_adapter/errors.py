"""One error type for every way a CrewAI run can fail, so callers need not know CrewAI."""

from __future__ import annotations

from agents.llm.errors import (
    BackendTimeout,
    BackendUnavailable,
    GatewayError,
    ModelNotFound,
    NoScriptedRule,
)

_PREFIXES: tuple[tuple[type[GatewayError], str], ...] = (
    (BackendUnavailable, "model backend unavailable"),
    (ModelNotFound, "model not found"),
    (BackendTimeout, "model backend timed out"),
    (NoScriptedRule, "scripted model has no answer"),
)


class AgentRunError(RuntimeError):
    """A CrewAI agent or crew could not finish; `cause` is the original error (often a GatewayError).

    `stop_reason` is a short machine-readable word ("error", "timeout", "cancelled")
    that callers copy into AgentReply.stop_reason.
    """

    def __init__(self, message: str, *, cause: BaseException | None = None, stop_reason: str = "error") -> None:
        super().__init__(message)
        self.cause = cause
        self.stop_reason = stop_reason

    @classmethod
    def from_gateway(cls, error: GatewayError) -> AgentRunError:
        """A clear message naming what failed, e.g. "model backend unavailable: Ollama is not running"."""
        prefix = next((p for kind, p in _PREFIXES if isinstance(error, kind)), "model backend error")
        return cls(f"{prefix}: {error.message}", cause=error)


def find_agent_error(error: BaseException | None) -> AgentRunError | None:
    """The AgentRunError inside CrewAI's wrappers (it re-raises as RuntimeError 'Task execution failed')."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, AgentRunError):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None
