"""The phases of the persona searches (code tree, prompt search): write tests, expand, evaluate,
select, finish. Each phase maps a state to the next one, so a graph can run one per node."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from agents.llm.gateway import Gateway

from .base import Emit


class PhasedState(Protocol):
    @property
    def phase(self) -> str: ...


S = TypeVar("S", bound=PhasedState)


@dataclass(frozen=True)
class SearchPhases(Generic[S]):
    """A search's phase functions; `step` runs the one the state is in, `run` runs them to the end."""

    tests: Callable[[S, Gateway, Emit | None], Awaitable[S]]
    expand: Callable[[S, Gateway, Emit | None], Awaitable[S]]
    evaluate: Callable[[S, Gateway, Emit | None], Awaitable[S]]
    select: Callable[[S, Emit | None], S]
    finish: Callable[[S, Emit | None], S]

    async def step(self, state: S, gateway: Gateway, emit: Emit | None = None) -> S:
        """The next phase of the search (what a graph node runs); a complete search is left as it is."""
        if state.phase in ("tests", "expand", "evaluate"):
            run: Any = getattr(self, state.phase)
            result: S = await run(state, gateway, emit)
            return result
        if state.phase == "select":
            return self.select(state, emit)
        if state.phase == "finish":
            return self.finish(state, emit)
        return state

    async def run(self, state: S, gateway: Gateway, emit: Emit | None = None) -> S:
        while state.phase != "complete":
            state = await self.step(state, gateway, emit)
        return state


__all__ = ["SearchPhases"]
