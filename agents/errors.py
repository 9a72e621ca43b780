"""One error type for every way an agent run can fail, whichever framework ran it.

Callers (workflows, the API, the CLI) catch `AgentRunError` and never need to know
CrewAI's or AutoGen's own exceptions; `cause` keeps the original, usually a GatewayError.
"""

from __future__ import annotations

from typing import TypeVar

from agents.llm.errors import (
    BackendTimeout,
    BackendUnavailable,
    ContextLengthExceeded,
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
    (ContextLengthExceeded, "context window exceeded"),
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


E = TypeVar("E", bound=BaseException)


def gateway_cause(error: BaseException) -> GatewayError | None:
    """The GatewayError an AgentRunError (or the error itself) stands for, if any."""
    if isinstance(error, GatewayError):
        return error
    cause = error.cause if isinstance(error, AgentRunError) else None
    return cause if isinstance(cause, GatewayError) else None


def chain_holds(start: BaseException | None, target: BaseException) -> bool:
    """True when `target` is `start` or reachable from it through __cause__/__context__."""
    seen: set[int] = set()
    stack = [start]
    while stack:
        error = stack.pop()
        if error is None or id(error) in seen:
            continue
        if error is target:
            return True
        seen.add(id(error))
        stack += [error.__cause__, error.__context__]
    return False


def break_cycles(error: E) -> E:
    """`error` with every __cause__/__context__ link that loops back cut.

    Frameworks re-raise one stored error object from several places, so its chain can
    come back to itself; rich's traceback printer follows such a loop forever at 100% CPU.
    """
    on_path: set[int] = set()
    done: set[int] = set()
    stack: list[tuple[BaseException, list[str]]] = [(error, ["__cause__", "__context__"])]
    on_path.add(id(error))
    while stack:
        current, links = stack[-1]
        if not links:
            stack.pop()
            on_path.discard(id(current))
            done.add(id(current))
            continue
        attr = links.pop(0)
        linked = getattr(current, attr)
        if linked is None or id(linked) in done:
            continue
        if id(linked) in on_path:
            setattr(current, attr, None)
            continue
        on_path.add(id(linked))
        stack.append((linked, ["__cause__", "__context__"]))
    return error


def caused_by(error: E, cause: BaseException | None) -> E:
    """`error` with `cause` as its __cause__, unless it has one or `cause`'s chain holds `error`.

    Use it instead of `raise error from cause` whenever `error` may be an existing object
    (a stored failure, one found inside a framework's wrapper): raising it `from` a chain
    that contains it makes a loop. Raise the result outside the `except` block, since
    Python would link the handled exception as __context__ and may close the loop again.
    """
    if error.__cause__ is None and cause is not None and not chain_holds(cause, error):
        error.__cause__ = cause
    return break_cycles(error)


def find_agent_error(error: BaseException | None) -> AgentRunError | None:
    """The AgentRunError inside a framework's wrappers (CrewAI re-raises as 'Task execution failed')."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, AgentRunError):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


__all__ = ["AgentRunError", "break_cycles", "caused_by", "chain_holds", "find_agent_error", "gateway_cause"]
