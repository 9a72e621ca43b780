"""Typed values that cross the gateway: messages, options, results, usage and model info."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["system", "user", "assistant", "tool"]
FinishReason = Literal["stop", "length", "error"]


class ChatMessage(BaseModel):
    """One chat turn. Tool turns carry plain text so every backend can render them."""

    role: Role
    content: str


class GenerationOptions(BaseModel):
    """Sampling options every backend understands; each maps them to its native names."""

    model_config = ConfigDict(extra="forbid")

    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    top_k: int | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, ge=1)
    stop: list[str] | None = None
    seed: int | None = None
    presence_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    frequency_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    repeat_penalty: float | None = Field(default=None, ge=0.0)
    num_ctx: int | None = Field(default=None, ge=256)

    def merged(self, override: GenerationOptions | None) -> GenerationOptions:
        """These options with every field set in `override` taking precedence."""
        if override is None:
            return self
        return self.model_copy(update=override.model_dump(exclude_none=True))


class Usage(BaseModel):
    """What one model call cost, as recorded in the usage ledger."""

    backend: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    wall_time_s: float = 0.0
    operation: str = "chat"

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class ChatResult(BaseModel):
    """A finished completion. `parsed` is set when a JSON schema was requested."""

    text: str
    usage: Usage
    finish_reason: FinishReason = "stop"
    parsed: Any = None


class StreamChunk(BaseModel):
    """One streamed piece of text; the last chunk has `done=True` and the usage."""

    text: str = ""
    done: bool = False
    usage: Usage | None = None
    finish_reason: FinishReason | None = None


class TokenLogprob(BaseModel):
    """A candidate next token with its natural-log probability."""

    token: str
    logprob: float
    prob: float


class ModelInfo(BaseModel):
    """A model the backend can serve and what it can do."""

    name: str
    backend: str
    capabilities: list[str] = Field(default_factory=list)
    context_length: int | None = None
    size_bytes: int | None = None
    family: str | None = None

    @property
    def supports_tools(self) -> bool:
        return "tools" in self.capabilities


class PullProgress(BaseModel):
    """One progress report while a model downloads."""

    status: str
    completed: int | None = None
    total: int | None = None
