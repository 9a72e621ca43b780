"""break_cycles / caused_by: a stored error re-raised from a chain that holds it never makes a loop."""

from __future__ import annotations

import pytest

from agents.errors import AgentRunError, break_cycles, caused_by, chain_holds, find_agent_error, gateway_cause
from agents.llm.errors import BackendUnavailable, ContextLengthExceeded

from .chains import has_loop, rich_render


def wrapped_twice() -> tuple[AgentRunError, RuntimeError]:
    """An agent error wrapped the way CrewAI does it: RuntimeError('Task execution failed') from it."""
    gateway = BackendUnavailable("cannot reach Ollama", backend="ollama")
    agent = AgentRunError.from_gateway(gateway)
    agent.__cause__ = gateway
    wrapper = RuntimeError("Task execution failed")
    wrapper.__cause__ = agent
    return agent, wrapper


def test_raising_a_found_error_from_its_wrapper_is_the_loop_rich_cannot_print() -> None:
    agent, wrapper = wrapped_twice()
    agent.__cause__ = wrapper  # what `raise find_agent_error(exc) from exc` did
    assert has_loop(agent)
    break_cycles(agent)
    assert not has_loop(agent)
    assert "Task execution failed" in rich_render(agent)


def test_caused_by_keeps_an_existing_cause_and_never_links_back() -> None:
    agent, wrapper = wrapped_twice()
    assert caused_by(agent, wrapper) is agent
    assert isinstance(agent.__cause__, BackendUnavailable)  # its own cause stays
    assert not has_loop(agent) and not has_loop(wrapper)


def test_caused_by_links_a_new_error_to_its_cause() -> None:
    _, wrapper = wrapped_twice()
    fresh = caused_by(AgentRunError("CrewAI run failed"), wrapper)
    assert fresh.__cause__ is wrapper and fresh.__suppress_context__
    assert chain_holds(fresh, wrapper) and not has_loop(fresh)


def test_break_cycles_cuts_a_context_loop_and_keeps_the_rest() -> None:
    first, second, third = ValueError("a"), KeyError("b"), TypeError("c")
    first.__context__ = second
    second.__cause__ = third
    third.__context__ = first
    break_cycles(first)
    assert first.__context__ is second and second.__cause__ is third
    assert third.__context__ is None


def test_a_real_handler_chain_raised_outside_the_except_block_stays_acyclic() -> None:
    agent, _ = wrapped_twice()
    failure: AgentRunError | None = None
    try:
        try:
            raise agent
        except AgentRunError as inner:
            raise RuntimeError("Task execution failed") from inner
    except RuntimeError as exc:
        failure = caused_by(find_agent_error(exc) or AgentRunError("?"), exc)
    with pytest.raises(AgentRunError) as caught:
        raise failure
    assert caught.value is agent and not has_loop(caught.value)


def test_gateway_cause_sees_through_an_agent_error() -> None:
    overflow = ContextLengthExceeded.of(5000, 4096)
    assert gateway_cause(AgentRunError.from_gateway(overflow)) is overflow
    assert gateway_cause(overflow) is overflow
    assert gateway_cause(AgentRunError("no model involved")) is None
    assert str(AgentRunError.from_gateway(overflow)).startswith("context window exceeded: the prompt needs 5000")
