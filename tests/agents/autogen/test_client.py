"""The gateway ChatCompletionClient honours AutoGen's contract on the scripted backend."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest
from autogen_core import FunctionCall
from autogen_core.model_context import TokenLimitedChatCompletionContext
from autogen_core.models import (
    AssistantMessage,
    CreateResult,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    SystemMessage,
    UserMessage,
)
from pydantic import BaseModel

from agents.autogen_adapter.client import GatewayChatCompletionClient, parse_tool_calls, to_chat_messages
from agents.autogen_adapter.errors import AgentRunError
from agents.autogen_adapter.tools import concept_function_tools
from agents.llm import GenerationOptions, NoScriptedRule
from agents.llm.backends.scripted import ScriptedBackend

from .conftest import scripted_gateway

HELLO = [SystemMessage(content="You are terse."), UserMessage(content="Say hello", source="user")]


async def client_for(rules: list[dict[str, object]], **kwargs: object) -> GatewayChatCompletionClient:
    return await GatewayChatCompletionClient.create_for(scripted_gateway(rules, **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize(("capabilities", "expected"), [(["completion"], False), (["completion", "tools"], True)])
async def test_model_info_function_calling_mirrors_capabilities(capabilities: list[str], expected: bool) -> None:
    client = await client_for([], capabilities=capabilities)
    info = client.model_info
    assert info["function_calling"] is expected
    assert client.capabilities["function_calling"] is expected
    assert info["vision"] is False and info["json_output"] is True and info["structured_output"] is True
    assert info["family"] == "unknown"


async def test_create_returns_text_and_records_usage() -> None:
    client = await client_for([{"pattern": "Say hello", "response": "hello there"}])
    result = await client.create(HELLO)
    assert result.content == "hello there" and result.finish_reason == "stop"
    assert result.usage.completion_tokens == 2
    ledger = client.gateway.ledger.records
    assert len(ledger) == 1 and ledger[0].operation == "chat"
    assert client.total_usage().completion_tokens == 2 == client.actual_usage().completion_tokens
    assert client.usage_log == ledger


async def test_create_stream_yields_chunks_then_the_result() -> None:
    client = await client_for([{"pattern": "Say hello", "response": "hello there, friend"}])
    items = [item async for item in client.create_stream(HELLO)]
    *chunks, final = items
    assert all(isinstance(c, str) for c in chunks) and len(chunks) == 3
    assert isinstance(final, CreateResult) and final.content == "".join(chunks) == "hello there, friend"
    assert final.usage.completion_tokens == 3
    assert [u.operation for u in client.gateway.ledger.records] == ["stream"]


async def test_all_message_types_become_gateway_turns() -> None:
    gateway = scripted_gateway([{"pattern": "next question", "response": "ok"}])
    client = await GatewayChatCompletionClient.create_for(gateway)
    backend = gateway.backend
    assert isinstance(backend, ScriptedBackend)
    call = FunctionCall(id="c1", name="concept_softmax", arguments='{"logits": [1, 2]}')
    messages = [
        SystemMessage(content="system text"),
        UserMessage(content=["part one", "part two"], source="user"),
        AssistantMessage(content=[call], source="tutor"),
        FunctionExecutionResultMessage(
            content=[FunctionExecutionResult(content='{"probs": [0.27, 0.73]}', name="concept_softmax", call_id="c1")]
        ),
        UserMessage(content="next question", source="user"),
    ]
    await client.create(messages)
    assert backend.prompts[-1] == "system text\npart one\npart two\nnext question"
    turns = [(m.role, m.content) for m in to_chat_messages(messages)]
    assert turns[2] == ("assistant", '{"tool": "concept_softmax", "arguments": {"logits": [1, 2]}}')
    assert turns[3] == ("tool", 'Result of tool concept_softmax: {"probs": [0.27, 0.73]}')


async def test_extra_create_args_map_to_generation_options() -> None:
    client = await client_for([{"pattern": "Say hello", "response": "one two three four"}])
    result = await client.create(HELLO, extra_create_args={"max_tokens": 2, "temperature": 0.1, "seed": 7})
    assert result.content == "one two" and result.finish_reason == "length"
    result = await client.create(HELLO, extra_create_args={"stop": "three"})
    assert result.content.strip() == "one two"
    with pytest.raises(ValueError, match="unsupported extra_create_args key 'logit_bias'"):
        await client.create(HELLO, extra_create_args={"logit_bias": {}})


async def test_persona_options_are_the_clients_defaults() -> None:
    gateway = scripted_gateway([{"pattern": "Say hello", "response": "one two three four"}])
    client = await GatewayChatCompletionClient.create_for(gateway, options=GenerationOptions(max_tokens=3))
    assert (await client.create(HELLO)).content == "one two three"


class Verdict(BaseModel):
    score: int
    reason: str


async def test_json_output_with_a_pydantic_type_is_validated_json() -> None:
    client = await client_for([{"pattern": "Grade", "response": '```json\n{"score": 7, "reason": "fine"}\n```'}])
    result = await client.create([UserMessage(content="Grade it", source="user")], json_output=Verdict)
    assert isinstance(result.content, str)
    assert Verdict.model_validate_json(result.content) == Verdict(score=7, reason="fine")
    assert client.gateway.ledger.records[-1].operation == "structured"


async def test_count_tokens_goes_through_the_gateway_not_tiktoken(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("tiktoken must never be used")

    try:
        import tiktoken  # type: ignore[import-not-found]

        monkeypatch.setattr(tiktoken, "get_encoding", forbidden)
        monkeypatch.setattr(tiktoken, "encoding_for_model", forbidden)
    except ImportError:
        fake = types.ModuleType("tiktoken")
        fake.get_encoding = forbidden  # type: ignore[attr-defined]
        fake.encoding_for_model = forbidden  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "tiktoken", fake)
    client = await client_for([], capabilities=["completion", "tools"])
    messages = [SystemMessage(content="a b c"), UserMessage(content="d e f g", source="user")]
    # scripted tokenizer: whitespace words, plus a fixed per-message overhead
    assert client.count_tokens(messages) == 7 + 2 * 4
    tools = concept_function_tools(["softmax"])
    assert client.count_tokens(messages, tools=tools) > client.count_tokens(messages)
    assert client.remaining_tokens(messages) == client.context_length - client.count_tokens(messages)
    context = TokenLimitedChatCompletionContext(client, token_limit=10)
    for message in messages[1:] * 3:
        await context.add_message(message)
    assert len(await context.get_messages()) == 1  # trimmed with the gateway's count


async def test_backend_error_becomes_agent_run_error() -> None:
    client = await client_for([{"pattern": "never matches", "response": "x"}])
    with pytest.raises(AgentRunError, match="scripted model has no answer") as caught:
        await client.create(HELLO)
    assert isinstance(caught.value.cause, NoScriptedRule)
    assert client.last_error is caught.value
    with pytest.raises(AgentRunError, match="no scripted rule matches prompt"):
        _ = [item async for item in client.create_stream(HELLO)]


async def test_tools_are_prompted_and_json_calls_parsed_on_a_tool_model() -> None:
    reply = '{"tool": "concept_softmax", "arguments": {"logits": [1.0, 2.0]}}'
    gateway = scripted_gateway([{"pattern": "softmax", "response": reply}], capabilities=["completion", "tools"])
    client = await GatewayChatCompletionClient.create_for(gateway)
    tools = concept_function_tools(["softmax"])
    items = [i async for i in client.create_stream([UserMessage(content="softmax of 1, 2?", source="u")], tools=tools)]
    result = items[-1]
    assert isinstance(result, CreateResult) and result.finish_reason == "function_calls"
    assert isinstance(result.content, list) and result.content[0].name == "concept_softmax"
    assert '"logits": [1.0, 2.0]' in result.content[0].arguments
    backend = gateway.backend
    assert isinstance(backend, ScriptedBackend) and "You can call these tools" in backend.prompts[-1]
    # tool_choice="none" (AutoGen's reflection step) sends no tool instructions
    await client.create([UserMessage(content="softmax again", source="u")], tools=tools, tool_choice="none")
    assert "You can call these tools" not in backend.prompts[-1]


async def test_tools_are_not_prompted_on_a_model_without_tools() -> None:
    reply = '{"tool": "concept_softmax", "arguments": {}}'
    gateway = scripted_gateway([{"pattern": "softmax", "response": reply}])
    client = await GatewayChatCompletionClient.create_for(gateway)
    tools = concept_function_tools(["softmax"])
    result = await client.create([UserMessage(content="softmax?", source="u")], tools=tools)
    assert result.content == reply and result.finish_reason == "stop"


def test_parse_tool_calls_accepts_common_shapes_and_ignores_unknown_tools() -> None:
    names = frozenset({"concept_softmax"})
    fenced = 'Sure.\n```json\n{"name": "concept_softmax", "parameters": {"logits": [1]}}\n```'
    assert [c.name for c in parse_tool_calls(fenced, names)] == ["concept_softmax"]
    batch = '{"tool_calls": [{"function": {"name": "concept_softmax", "arguments": "{\\"logits\\": [2]}"}}]}'
    assert parse_tool_calls(batch, names)[0].arguments == '{"logits": [2]}'
    assert parse_tool_calls('{"tool": "rm_rf", "arguments": {}}', names) == []
    assert parse_tool_calls("no json {here", names) == []


def test_importing_the_package_does_not_import_autogen() -> None:
    code = "import agents.autogen_adapter as a, sys; a.AgentRunError; print('autogen_core' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_the_client_refuses_serialisation_clearly() -> None:
    client = await client_for([])
    with pytest.raises(NotImplementedError, match="cannot be serialised"):
        client.dump_component()
