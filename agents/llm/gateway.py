"""The model gateway: the one async interface through which every agent reaches a model.

Backends only produce text; the gateway adds what every caller needs the same way:
message normalisation, default options, JSON-schema parsing, wall-clock timing and a
usage record for every call, streaming or not.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import jsonschema

from .backends.base import Backend
from .errors import BackendError, GatewayError, InvalidRequest
from .types import (
    ChatMessage,
    ChatResult,
    GenerationOptions,
    ModelInfo,
    PullProgress,
    StreamChunk,
    TokenLogprob,
    Usage,
)
from .usage import UsageLedger, record_fault

MessagesLike = str | Sequence[ChatMessage | dict[str, Any]]
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


def as_messages(messages: MessagesLike, system: str | None = None) -> list[ChatMessage]:
    """Accept a bare prompt, dicts or ChatMessages; prepend `system` if given."""
    if isinstance(messages, str):
        result = [ChatMessage(role="user", content=messages)]
    else:
        result = [m if isinstance(m, ChatMessage) else ChatMessage.model_validate(m) for m in messages]
    if system:
        result.insert(0, ChatMessage(role="system", content=system))
    if not result:
        raise InvalidRequest("at least one message is required")
    return result


def parse_json_output(text: str, schema: dict[str, Any]) -> Any:
    """Parse a model's JSON answer (tolerating code fences) and check it against the schema."""
    cleaned = _FENCE.sub("", text.strip()).strip()
    start = min((i for i in (cleaned.find("{"), cleaned.find("[")) if i >= 0), default=-1)
    if start > 0:
        cleaned = cleaned[start:]
    try:
        # strict=False: llama.cpp's JSON grammar lets a raw newline into a string, which is harmless
        value = json.JSONDecoder(strict=False).raw_decode(cleaned)[0]
    except json.JSONDecodeError as exc:
        raise BackendError(f"the model did not return JSON: {text[:200]!r}") from exc
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError as exc:
        raise BackendError(f"the model's JSON does not match the schema: {exc.message}") from exc
    return value


class Gateway:
    """Wraps one backend with defaults, timing and a usage ledger."""

    def __init__(
        self,
        backend: Backend,
        *,
        default_model: str | None = None,
        default_options: GenerationOptions | None = None,
        ledger: UsageLedger | None = None,
        selection_reason: str = "",
        max_tokens_cap: int | None = None,
    ) -> None:
        self.backend = backend
        self.default_model = default_model or backend.default_model
        self.default_options = default_options or GenerationOptions()
        self.ledger = ledger or UsageLedger()
        self.selection_reason = selection_reason
        self.max_tokens_cap = max_tokens_cap

    def with_defaults(self, *, model: str | None = None, options: GenerationOptions | None = None) -> Gateway:
        """A view with another default model or options, sharing this backend and ledger."""
        if not model and options is None:
            return self
        return Gateway(
            self.backend,
            default_model=model or self.default_model,
            default_options=self.default_options.merged(options),
            ledger=self.ledger,
            selection_reason=self.selection_reason,
            max_tokens_cap=self.max_tokens_cap,
        )

    @property
    def backend_name(self) -> str:
        return self.backend.name

    def _model(self, model: str | None) -> str:
        return model or self.default_model or self.backend.default_model

    def _options(self, options: GenerationOptions | None) -> GenerationOptions:
        """Defaults, then the caller's options, then the operator's cap on completion length.

        The cap (THINKROOM_MAX_TOKENS_CAP) bounds every agent and strategy at once, which is
        what makes multi-call workflows affordable on a small CPU.
        """
        merged = self.default_options.merged(options)
        cap = self.max_tokens_cap
        if cap is not None and (merged.max_tokens is None or merged.max_tokens > cap):
            merged = merged.model_copy(update={"max_tokens": cap})
        return merged

    def _record(self, usage: Usage, started: float, operation: str) -> Usage:
        usage = usage.model_copy(update={"wall_time_s": time.perf_counter() - started, "operation": operation})
        self.ledger.record(usage)
        return usage

    async def chat(
        self,
        messages: MessagesLike,
        *,
        model: str | None = None,
        options: GenerationOptions | None = None,
        system: str | None = None,
        json_schema: dict[str, Any] | None = None,
    ) -> ChatResult:
        """A complete answer; with `json_schema`, `parsed` holds the validated JSON value."""
        chat_messages = as_messages(messages, system)
        merged = self._options(options)
        started = time.perf_counter()
        try:
            result = await self.backend.chat(chat_messages, self._model(model), merged, json_schema)
            result.usage = self._record(result.usage, started, "structured" if json_schema else "chat")
            if json_schema is not None:
                result.parsed = parse_json_output(result.text, json_schema)
        except GatewayError as exc:
            record_fault(exc)
            raise
        return result

    async def structured(
        self,
        messages: MessagesLike,
        schema: dict[str, Any],
        *,
        model: str | None = None,
        options: GenerationOptions | None = None,
        system: str | None = None,
    ) -> Any:
        """The parsed JSON value of an answer constrained to `schema`."""
        result = await self.chat(messages, model=model, options=options, system=system, json_schema=schema)
        return result.parsed

    async def stream(
        self,
        messages: MessagesLike,
        *,
        model: str | None = None,
        options: GenerationOptions | None = None,
        system: str | None = None,
    ) -> AsyncIterator[StreamChunk]:
        """Text chunks as the model produces them; the final chunk carries the usage."""
        chat_messages = as_messages(messages, system)
        merged = self._options(options)
        chosen = self._model(model)
        started = time.perf_counter()
        try:
            async for chunk in self.backend.stream(chat_messages, chosen, merged):
                if chunk.done:
                    usage = chunk.usage or Usage(backend=self.backend_name, model=chosen)
                    chunk.usage = self._record(usage, started, "stream")
                    yield chunk
                    return
                yield chunk
            raise BackendError("the stream ended without a final chunk", backend=self.backend_name, model=chosen)
        except GatewayError as exc:
            record_fault(exc)
            raise

    async def next_token(self, prompt: str, *, top_k: int = 10, model: str | None = None) -> list[TokenLogprob]:
        """The model's top-k next tokens after the raw `prompt`, most likely first."""
        if top_k < 1:
            raise InvalidRequest("top_k must be at least 1")
        chosen = self._model(model)
        started = time.perf_counter()
        candidates = await self.backend.next_token(prompt, chosen, top_k)
        prompt_tokens = await self.backend.count_tokens(prompt, chosen)
        self._record(Usage(backend=self.backend_name, model=chosen, prompt_tokens=prompt_tokens), started, "next_token")
        return candidates

    async def count_tokens(self, text: str, *, model: str | None = None) -> int:
        return await self.backend.count_tokens(text, self._model(model))

    def count_tokens_sync(self, text: str) -> int:
        """Token count for synchronous framework hooks (AutoGen's count_tokens).

        Uses the backend's own tokenizer when it has a synchronous one (llama.cpp,
        scripted); otherwise a conservative 4-characters-per-token estimate, so no
        framework ever downloads a tokenizer such as tiktoken's.
        """
        counter = getattr(self.backend, "count_tokens_sync", None)
        if callable(counter):
            return int(counter(text))
        return max(1, (len(text) + 3) // 4) if text else 0

    @property
    def counting_blocks(self) -> bool:
        """Whether `count_tokens_sync` may wait on a model lock (llama.cpp): then call it off the event loop."""
        return bool(getattr(self.backend, "count_tokens_sync_blocks", False))

    async def list_models(self) -> list[ModelInfo]:
        return await self.backend.list_models()

    async def model_info(self, model: str | None = None) -> ModelInfo:
        return await self.backend.model_info(self._model(model))

    def pull(self, model: str) -> AsyncIterator[PullProgress]:
        return self.backend.pull(model)

    async def close(self) -> None:
        await self.backend.close()


__all__ = ["Gateway", "GatewayError", "as_messages", "parse_json_output"]
