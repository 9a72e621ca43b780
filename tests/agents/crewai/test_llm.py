"""GatewayLLM: CrewAI's synchronous call() over the async gateway on the caller's loop."""

from __future__ import annotations

import asyncio
import time

import pytest

from agents.crewai_adapter.errors import AgentRunError
from agents.crewai_adapter.llm import GatewayLLM, to_gateway_messages
from agents.llm import BackendUnavailable, Gateway
from agents.llm.types import GenerationOptions

from .conftest import DownBackend, scripted


def test_messages_map_observations_to_user_turns_and_merge_roles() -> None:
    messages = [
        {"role": "system", "content": "You are a tutor."},
        {"role": "user", "content": [{"type": "text", "text": "Current Task: softmax"}]},
        {"role": "assistant", "content": 'Thought: t\nAction: concept_softmax\nAction Input: {}\nObservation: {"p":1}'},
        {"role": "user", "content": "Analyze the tool result."},
    ]
    chat = to_gateway_messages(messages)
    assert [m.role for m in chat] == ["system", "user", "assistant", "user"]
    assert chat[2].content.endswith("Action Input: {}")
    assert chat[3].content.startswith('Observation: {"p":1}') and chat[3].content.endswith("Analyze the tool result.")
    assert to_gateway_messages("hi")[0].role == "user"


async def test_call_streams_tokens_records_usage_and_honours_stop_words() -> None:
    gateway, _ = scripted([{"pattern": "softmax", "response": "Action: x\nAction Input: {}\nObservation: made up"}])
    tokens: list[str] = []
    options = GenerationOptions(max_tokens=64)
    llm = GatewayLLM(gateway, asyncio.get_running_loop(), on_token=tokens.append, options=options)
    llm.stop = ["\nObservation:"]
    text = await asyncio.to_thread(llm.call, [{"role": "user", "content": "softmax please"}])
    assert text == "Action: x\nAction Input: {}"
    assert "".join(tokens).strip() == text
    assert len(llm.usage) == 1 and llm.usage[0].completion_tokens == 5
    assert gateway.ledger.records[-1] == llm.usage[0]
    assert llm.get_token_usage_summary().completion_tokens == 5


async def test_function_calling_follows_real_capabilities() -> None:
    loop = asyncio.get_running_loop()
    plain, _ = scripted([], capabilities=["completion"])
    tooled, _ = scripted([], capabilities=["completion", "tools"])
    gemma = GatewayLLM(plain, loop, model_info=await plain.model_info())
    qwen = GatewayLLM(tooled, loop, model_info=await tooled.model_info())
    assert not gemma.model_supports_tools and not gemma.supports_function_calling()
    assert qwen.model_supports_tools
    # the gateway has no tool-call API, so even a tool-capable model is driven by text ReAct ...
    assert not qwen.supports_function_calling()

    class Native(GatewayLLM):
        native_tool_calls = True

    # ... and once native calls are implemented the model's real capabilities decide
    assert Native(tooled, loop, model_info=await tooled.model_info()).supports_function_calling()
    assert not Native(plain, loop, model_info=await plain.model_info()).supports_function_calling()


async def test_backend_errors_become_clear_agent_errors_and_stick() -> None:
    backend = DownBackend()
    llm = GatewayLLM(Gateway(backend), asyncio.get_running_loop())
    with pytest.raises(AgentRunError, match=r"^model backend unavailable: cannot reach Ollama") as caught:
        await asyncio.to_thread(llm.call, "hello")
    assert isinstance(caught.value.cause, BackendUnavailable)
    with pytest.raises(AgentRunError):
        await asyncio.to_thread(llm.call, "hello again")
    assert backend.attempts == 1  # failed fast: the second call never reached the backend


async def test_call_on_the_loop_thread_fails_instead_of_deadlocking() -> None:
    gateway, _ = scripted([{"pattern": ".", "response": "x"}])
    llm = GatewayLLM(gateway, asyncio.get_running_loop())
    with pytest.raises(AgentRunError, match="own event loop"):
        llm.call("hi")


async def test_deadline_and_cancel_stop_a_slow_call() -> None:
    gateway, _ = scripted([{"pattern": ".", "response": "one two three four five", "delay_s": 0.5}])
    llm = GatewayLLM(gateway, asyncio.get_running_loop())
    llm.set_deadline(time.monotonic() + 0.3)
    started = time.monotonic()
    with pytest.raises(AgentRunError) as caught:
        await asyncio.to_thread(llm.call, "hi")
    assert caught.value.stop_reason == "timeout" and time.monotonic() - started < 2

    other = GatewayLLM(gateway, asyncio.get_running_loop())
    worker = asyncio.ensure_future(asyncio.to_thread(other.call, "hi"))
    await asyncio.sleep(0.2)
    other.cancel("timeout")
    with pytest.raises(AgentRunError, match="stopped: timeout"):
        await worker
