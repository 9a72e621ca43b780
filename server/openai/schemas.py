"""The chat-completion request thinkroom honours, and its translation to gateway messages and options.

Request options become `GenerationOptions`. For personas and workflows they are the run's
default options, so a persona's or strategy's own explicit settings still win.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agents.llm.types import ChatMessage, GenerationOptions
from server.openai.errors import OpenAIError


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class InMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """The subset of OpenAI's request thinkroom honours; unknown fields are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1)
    messages: list[InMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    stop: str | list[str] | None = None
    seed: int | None = None
    presence_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    frequency_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    n: int | None = Field(default=None, ge=1)
    tools: list[dict[str, Any]] | None = None
    response_format: dict[str, Any] | None = None


def generation_options(req: ChatCompletionRequest) -> GenerationOptions:
    stop = [req.stop] if isinstance(req.stop, str) else req.stop
    return GenerationOptions(
        temperature=req.temperature,
        top_p=req.top_p,
        max_tokens=req.max_completion_tokens or req.max_tokens,
        stop=stop or None,
        seed=req.seed,
        presence_penalty=req.presence_penalty,
        frequency_penalty=req.frequency_penalty,
    )


def chat_messages(req: ChatCompletionRequest) -> list[ChatMessage]:
    """OpenAI messages as gateway messages: developer→system, function→tool, text parts joined."""
    result = []
    for i, msg in enumerate(req.messages):
        if isinstance(msg.content, list):
            texts = []
            for j, part in enumerate(msg.content):
                if part.type not in ("text", "input_text") or part.text is None:
                    raise OpenAIError(
                        400,
                        f"only text content is supported, got a {part.type!r} part",
                        param=f"messages[{i}].content[{j}]",
                        code="unsupported_content",
                    )
                texts.append(part.text)
            content = "\n".join(texts)
        else:
            content = msg.content or ""
        role = {"developer": "system", "function": "tool"}.get(msg.role, msg.role)
        result.append(ChatMessage(role=role, content=content))  # type: ignore[arg-type]
    return result


def json_schema_of(response_format: dict[str, Any] | None) -> dict[str, Any] | None:
    """The JSON schema a `response_format` asks for (json_object means any object)."""
    kind = (response_format or {}).get("type", "text")
    if kind == "text":
        return None
    if kind == "json_object":
        return {"type": "object"}
    if kind == "json_schema":
        schema = (response_format or {}).get("json_schema", {}).get("schema")
        if isinstance(schema, dict):
            return schema
        raise OpenAIError(400, "response_format.json_schema.schema must be an object", param="response_format")
    raise OpenAIError(400, f"unsupported response_format type {kind!r}", param="response_format")
