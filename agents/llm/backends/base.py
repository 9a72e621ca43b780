"""The contract each backend fulfils; the gateway adds timing, usage and errors on top."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol, runtime_checkable

from ..types import (
    ChatMessage,
    ChatResult,
    GenerationOptions,
    ModelInfo,
    PullProgress,
    StreamChunk,
    TokenLogprob,
)


@runtime_checkable
class Backend(Protocol):
    """A source of model output. Implementations raise only `GatewayError` subclasses."""

    name: str

    @property
    def default_model(self) -> str: ...

    async def chat(
        self,
        messages: list[ChatMessage],
        model: str,
        options: GenerationOptions,
        json_schema: dict[str, Any] | None = None,
    ) -> ChatResult: ...

    def stream(
        self, messages: list[ChatMessage], model: str, options: GenerationOptions
    ) -> AsyncIterator[StreamChunk]: ...

    async def next_token(self, prompt: str, model: str, top_k: int) -> list[TokenLogprob]: ...

    async def count_tokens(self, text: str, model: str) -> int: ...

    async def list_models(self) -> list[ModelInfo]: ...

    async def model_info(self, model: str) -> ModelInfo: ...

    def pull(self, model: str) -> AsyncIterator[PullProgress]: ...

    async def close(self) -> None: ...
