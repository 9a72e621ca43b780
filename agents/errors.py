"""One error type for every way an agent run can fail, whichever framework ran it.

Callers (workflows, the API, the CLI) catch `AgentRunError` and never need to know
CrewAI's or AutoGen's own exceptions; `cause` keeps the original, usually a GatewayError.
"""

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
    """An agent, crew or team could not finish.

    `stop_reason` is a short machine-readable word ("error", "timeout", "cancelled")
    that callers copy into AgentReply.stop_reason.
    """

    def __init__(self, message: str, *, cause: BaseException | None = None, stop_reason: str = "error") -> None:
        super().__init__(message)
        self.cause = cause
        self.stop_reason = stop_reason

    @classmethod
    def from_gateway(cls, error: GatewayError) -> AgentRunError:
        """A clear message naming what failed, e.g. "model backend unavailable: cannot reach Ollama ..."."""
        prefix = next((p for kind, p in _PREFIXES if isinstance(error, kind)), "model backend error")
        return cls(f"{prefix}: {error.message}", cause=error)


def find_agent_error(error: BaseException | None) -> AgentRunError | None:
    """The AgentRunError inside a framework's wrappers (CrewAI re-raises as 'Task execution failed')."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, AgentRunError):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


__all__ = ["AgentRunError", "find_agent_error"]
