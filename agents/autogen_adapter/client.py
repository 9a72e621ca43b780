"""AutoGen's ChatCompletionClient over the model gateway.

Every AutoGen agent reaches a model through here, so it gets the gateway's backends,
option defaults and usage ledger, and never OpenAI's client or tiktoken.

Tool calling: the gateway is text-only (ChatMessage has no tool fields), so for a model
whose real capabilities include "tools" the client *prompts* for calls instead of sending
tools natively: the tools are described in the system text and a reply that is a JSON
object {"tool": name, "arguments": {...}} becomes AutoGen FunctionCalls, which AutoGen
then executes. For a model without "tools", model_info says function_calling=False and
tools passed anyway are ignored (AutoGen's AssistantAgent refuses them earlier).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncGenerator, Awaitable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from autogen_core import CancellationToken, FunctionCall, Image
from autogen_core.models import (
    AssistantMessage,
    ChatCompletionClient,
    CreateResult,
    FunctionExecutionResultMessage,
    LLMMessage,
    ModelCapabilities,  # type: ignore[attr-defined]  # deprecated, still abstract in the base
    ModelFamily,
    ModelInfo,
    RequestUsage,
    SystemMessage,
    UserMessage,
)
from autogen_core.tools import Tool, ToolSchema
from pydantic import BaseModel, ValidationError

from agents.llm import ChatMessage, Gateway, GatewayError, GenerationOptions, Usage
from agents.llm import ModelInfo as GatewayModelInfo

from .errors import AgentRunError

T = TypeVar("T")

#: Used when a backend does not report a context length (Ollama's default num_ctx here).
DEFAULT_CONTEXT_LENGTH = 8192
#: Tokens per message for role markers and separators, on top of the content.
MESSAGE_OVERHEAD = 4
#: Completion length assumed when no max_tokens is set, for context budgeting.
DEFAULT_COMPLETION_TOKENS = 512

_FINISH = {"stop": "stop", "length": "length", "error": "unknown"}
_ALIASES = {"max_completion_tokens": "max_tokens", "num_predict": "max_tokens", "stop_sequences": "stop"}
_FENCE = re.compile(r"```(?:json)?\s*|\s*```", re.IGNORECASE)

ToolChoice = Tool | Literal["auto", "required", "none"]


@dataclass(frozen=True)
class _Request:
    """One gateway call prepared from AutoGen's arguments."""

    messages: list[ChatMessage]
    options: GenerationOptions
    json_schema: dict[str, Any] | None
    tool_names: frozenset[str]


class GatewayChatCompletionClient(ChatCompletionClient):
    """A ChatCompletionClient for one gateway model; build it with `await create_for(...)`."""

    component_type = "model"

    def __init__(
        self,
        gateway: Gateway,
        info: GatewayModelInfo,
        *,
        options: GenerationOptions | None = None,
        usage_log: list[Usage] | None = None,
    ) -> None:
        self.gateway = gateway
        self.info = info
        self.model = info.name
        self.options = options or GenerationOptions()
        #: Every call's gateway Usage, in order; shared between the clients of one run.
        self.usage_log: list[Usage] = usage_log if usage_log is not None else []
        self.last_error: AgentRunError | None = None
        self._total = RequestUsage(prompt_tokens=0, completion_tokens=0)
        self._model_info: ModelInfo = {
            "vision": False,
            "function_calling": info.supports_tools,
            "json_output": True,
            "structured_output": True,
            "family": ModelFamily.UNKNOWN,
            "multiple_system_messages": True,
        }

    @classmethod
    async def create_for(
        cls,
        gateway: Gateway,
        model: str | None = None,
        *,
        options: GenerationOptions | None = None,
        usage_log: list[Usage] | None = None,
    ) -> GatewayChatCompletionClient:
        """Resolve the model's real capabilities once (async), then build the client."""
        try:
            info = await gateway.model_info(model)
        except GatewayError as exc:
            raise AgentRunError.from_gateway(exc) from exc
        return cls(gateway, info, options=options, usage_log=usage_log)

    # ------------------------------------------------------------------ AutoGen API
    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        request = self._request(messages, tools, tool_choice, json_output, extra_create_args)
        result = await self._guard(
            self.gateway.chat(
                request.messages, model=self.model, options=request.options, json_schema=request.json_schema
            ),
            cancellation_token,
        )
        content: str | list[FunctionCall] = result.text
        finish = _FINISH.get(result.finish_reason, "unknown")
        if request.json_schema is not None and result.parsed is not None:
            content = json.dumps(result.parsed)
        elif request.tool_names:
            calls = parse_tool_calls(result.text, request.tool_names)
            if calls:
                content, finish = calls, "function_calls"
        return CreateResult(
            finish_reason=finish,  # type: ignore[arg-type]
            content=content,
            usage=self._record(result.usage),
            cached=False,
        )

    async def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        """Text chunks as they come, then the CreateResult.

        With tools or JSON output the whole answer is needed before it can be parsed, so
        it is produced in one call and yielded as a single chunk.
        """
        request = self._request(messages, tools, tool_choice, json_output, extra_create_args)
        if request.tool_names or request.json_schema is not None:
            result = await self.create(
                messages,
                tools=tools,
                tool_choice=tool_choice,
                json_output=json_output,
                extra_create_args=extra_create_args,
                cancellation_token=cancellation_token,
            )
            if isinstance(result.content, str) and result.content:
                yield result.content
            yield result
            return
        stream = self.gateway.stream(request.messages, model=self.model, options=request.options)
        parts: list[str] = []
        started = time.perf_counter()
        try:
            while True:
                try:
                    chunk = await self._guard(anext(stream), cancellation_token)
                except StopAsyncIteration:
                    break
                if chunk.done:
                    usage = chunk.usage or Usage(backend=self.gateway.backend_name, model=self.model)
                    yield CreateResult(
                        finish_reason=_FINISH.get(chunk.finish_reason or "stop", "unknown"),  # type: ignore[arg-type]
                        content="".join(parts),
                        usage=self._record(usage),
                        cached=False,
                    )
                    return
                if chunk.text:
                    parts.append(chunk.text)
                    yield chunk.text
        except asyncio.CancelledError:
            self._record_cancelled(request.messages, "".join(parts), started)
            raise
        finally:
            await stream.aclose()  # type: ignore[attr-defined]
        raise self._fail(AgentRunError(f"the model stream from {self.model} ended without a result"))

    async def close(self) -> None:
        """The gateway is shared and owned by the caller, so there is nothing to close here."""

    def actual_usage(self) -> RequestUsage:
        return RequestUsage(self._total.prompt_tokens, self._total.completion_tokens)

    def total_usage(self) -> RequestUsage:
        return RequestUsage(self._total.prompt_tokens, self._total.completion_tokens)

    def count_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []) -> int:
        """Tokens through the gateway's own tokenizer (never tiktoken)."""
        count = self.gateway.count_tokens_sync
        total = sum(count(m.content) + MESSAGE_OVERHEAD for m in to_chat_messages(messages))
        if tools:
            total += count(tool_prompt(tools, "auto"))
        return total

    def remaining_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []) -> int:
        return self.context_length - self.count_tokens(messages, tools=tools)

    @property
    def capabilities(self) -> ModelCapabilities:  # type: ignore[valid-type]
        return {
            "vision": self._model_info["vision"],
            "function_calling": self._model_info["function_calling"],
            "json_output": self._model_info["json_output"],
        }

    @property
    def model_info(self) -> ModelInfo:
        return self._model_info

    def _to_config(self) -> BaseModel:
        raise NotImplementedError(
            "GatewayChatCompletionClient wraps a live gateway (backend, ledger) and cannot be serialised; "
            "rebuild it with GatewayChatCompletionClient.create_for(gateway, model)"
        )

    # ------------------------------------------------------------------ helpers
    @property
    def context_length(self) -> int:
        return self.options.num_ctx or self.info.context_length or DEFAULT_CONTEXT_LENGTH

    def history_budget(self, system_prompt: str, tools: Sequence[Tool | ToolSchema] = ()) -> int:
        """Tokens left for the conversation after the system prompt, tools and the answer."""
        fixed = self.gateway.count_tokens_sync(system_prompt) + MESSAGE_OVERHEAD
        if tools:
            fixed += self.gateway.count_tokens_sync(tool_prompt(tools, "auto"))
        answer = self.options.max_tokens or DEFAULT_COMPLETION_TOKENS
        margin = 32 + self.context_length // 20  # prompt templates and tokenizer differences
        return max(128, self.context_length - fixed - answer - margin)

    def _request(
        self,
        messages: Sequence[LLMMessage],
        tools: Sequence[Tool | ToolSchema],
        tool_choice: ToolChoice,
        json_output: bool | type[BaseModel] | None,
        extra_create_args: Mapping[str, Any],
    ) -> _Request:
        chat = to_chat_messages(messages)
        use_tools = bool(tools) and tool_choice != "none" and self._model_info["function_calling"]
        names: frozenset[str] = frozenset()
        if use_tools:
            names = frozenset(_schema(t)["name"] for t in tools)
            chat = _with_system(chat, tool_prompt(tools, tool_choice))
        schema: dict[str, Any] | None = None
        if isinstance(json_output, type) and issubclass(json_output, BaseModel):
            schema = json_output.model_json_schema()
        elif json_output:
            schema = {"type": "object"}
        return _Request(chat, self.options.merged(to_options(extra_create_args)), schema, names)

    async def _guard(self, call: Awaitable[T], token: CancellationToken | None) -> T:
        """Await a gateway call, cancellable by AutoGen's token; gateway errors become AgentRunError."""
        task = asyncio.ensure_future(call)
        if token is not None:
            token.link_future(task)
        try:
            return await task
        except (asyncio.CancelledError, StopAsyncIteration):
            raise
        except GatewayError as exc:
            raise self._fail(AgentRunError.from_gateway(exc)) from exc
        except Exception as exc:  # a backend bug must still surface as a clear agent error
            raise self._fail(AgentRunError(f"model call to {self.model} failed: {exc}", cause=exc)) from exc

    def _fail(self, error: AgentRunError) -> AgentRunError:
        self.last_error = error  # AutoGen teams re-raise agent errors as bare RuntimeError strings
        return error

    def _record_cancelled(self, messages: list[ChatMessage], partial: str, started: float) -> None:
        """A cancelled stream (run timeout) still spent compute: log an estimate in the ledger too."""
        count = self.gateway.count_tokens_sync
        usage = Usage(
            backend=self.gateway.backend_name,
            model=self.model,
            prompt_tokens=sum(count(m.content) for m in messages),
            completion_tokens=count(partial),
            wall_time_s=time.perf_counter() - started,
            operation="stream_cancelled",
        )
        self.gateway.ledger.record(usage)
        self._record(usage)

    def _record(self, usage: Usage) -> RequestUsage:
        self.usage_log.append(usage)
        self._total = RequestUsage(
            self._total.prompt_tokens + usage.prompt_tokens,
            self._total.completion_tokens + usage.completion_tokens,
        )
        return RequestUsage(usage.prompt_tokens, usage.completion_tokens)


# ---------------------------------------------------------------------- conversions
def to_chat_messages(messages: Sequence[LLMMessage]) -> list[ChatMessage]:
    """AutoGen messages as gateway turns; function calls and results become plain text."""
    result: list[ChatMessage] = []
    for message in messages:
        if isinstance(message, SystemMessage):
            result.append(ChatMessage(role="system", content=message.content))
        elif isinstance(message, UserMessage):
            result.append(ChatMessage(role="user", content=_user_text(message.content)))
        elif isinstance(message, AssistantMessage):
            result.append(ChatMessage(role="assistant", content=_assistant_text(message)))
        elif isinstance(message, FunctionExecutionResultMessage):
            lines = [
                f"{'Error from' if r.is_error else 'Result of'} tool {r.name}: {r.content}" for r in message.content
            ]
            result.append(ChatMessage(role="tool", content="\n".join(lines)))
        else:  # pragma: no cover - LLMMessage is a closed union
            raise TypeError(f"unsupported AutoGen message type: {type(message).__name__}")
    return result


def _user_text(content: str | list[str | Image]) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(part if isinstance(part, str) else "[image]" for part in content)


def _assistant_text(message: AssistantMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    calls = "\n".join(
        json.dumps({"tool": call.name, "arguments": _loads_or_raw(call.arguments)}) for call in message.content
    )
    return f"{message.thought}\n{calls}" if message.thought else calls


def _loads_or_raw(arguments: str) -> Any:
    try:
        return json.loads(arguments)
    except json.JSONDecodeError:
        return arguments


def _with_system(messages: list[ChatMessage], extra: str) -> list[ChatMessage]:
    """Append `extra` to the first system turn (or add one), so tools read as instructions."""
    if messages and messages[0].role == "system":
        first = ChatMessage(role="system", content=f"{messages[0].content}\n\n{extra}")
        return [first, *messages[1:]]
    return [ChatMessage(role="system", content=extra), *messages]


def to_options(extra_create_args: Mapping[str, Any]) -> GenerationOptions:
    """AutoGen's extra_create_args as gateway options (OpenAI/Ollama aliases accepted)."""
    fields = GenerationOptions.model_fields
    values: dict[str, Any] = {}
    for key, value in extra_create_args.items():
        name = _ALIASES.get(key, key)
        if name not in fields:
            raise ValueError(f"unsupported extra_create_args key {key!r}; use one of {', '.join(fields)}")
        values[name] = [value] if name == "stop" and isinstance(value, str) else value
    try:
        return GenerationOptions(**values)
    except ValidationError as exc:
        raise ValueError(f"invalid extra_create_args: {exc}") from exc


# ---------------------------------------------------------------------- prompted tool calls
def _schema(tool: Tool | ToolSchema) -> ToolSchema:
    return tool if isinstance(tool, dict) else tool.schema


def tool_prompt(tools: Sequence[Tool | ToolSchema], tool_choice: ToolChoice) -> str:
    """The tools as instructions, for a gateway that has no native tool parameter."""
    lines = ["You can call these tools:"]
    for tool in tools:
        schema = _schema(tool)
        params = json.dumps(schema.get("parameters", {}), separators=(",", ":"))
        lines.append(f"- {schema['name']}: {schema.get('description', '')}\n  arguments JSON schema: {params}")
    lines.append(
        'To call a tool, reply with only this JSON and nothing else: {"tool": "<tool name>", "arguments": {...}}'
    )
    if tool_choice == "required":
        lines.append("You must call one of the tools now.")
    elif not isinstance(tool_choice, str):
        lines.append(f"You must call the tool {tool_choice.name} now.")
    else:
        lines.append("If no tool is needed, answer normally in plain text.")
    return "\n".join(lines)


def parse_tool_calls(text: str, names: frozenset[str]) -> list[FunctionCall]:
    """FunctionCalls for every JSON tool call of a known tool in the model's text."""
    cleaned = _FENCE.sub("\n", text)
    decoder = json.JSONDecoder()
    calls: list[FunctionCall] = []
    index = cleaned.find("{")
    while index != -1:
        try:
            value, end = decoder.raw_decode(cleaned, index)
        except json.JSONDecodeError:
            index = cleaned.find("{", index + 1)
            continue
        for name, arguments in _calls_in(value):
            if name in names:
                args = arguments if isinstance(arguments, str) else json.dumps(arguments)
                calls.append(FunctionCall(id=f"call_{uuid.uuid4().hex[:12]}", arguments=args, name=name))
        index = cleaned.find("{", end)
    return calls


def _calls_in(value: Any) -> list[tuple[str, Any]]:
    if not isinstance(value, dict):
        return []
    if isinstance(value.get("tool_calls"), list):
        return [call for item in value["tool_calls"] for call in _calls_in(item)]
    if isinstance(value.get("function"), dict):  # OpenAI's {"function": {"name", "arguments"}}
        return _calls_in(value["function"])
    name = value.get("tool", value.get("name"))
    if not isinstance(name, str):
        return []
    return [(name, value.get("arguments", value.get("parameters", {})))]


__all__ = [
    "DEFAULT_CONTEXT_LENGTH",
    "GatewayChatCompletionClient",
    "parse_tool_calls",
    "to_chat_messages",
    "to_options",
    "tool_prompt",
]
