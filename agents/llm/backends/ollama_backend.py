"""Ollama through the official `ollama` AsyncClient, with explicit timeouts and typed errors."""

from __future__ import annotations

import json
import math
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import httpx
import ollama
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from ..errors import (
    BackendError,
    BackendTimeout,
    BackendUnavailable,
    ContextLengthExceeded,
    GatewayError,
    InvalidRequest,
    ModelNotFound,
)
from ..types import (
    ChatMessage,
    ChatResult,
    FinishReason,
    GenerationOptions,
    ModelInfo,
    PullProgress,
    StreamChunk,
    TokenLogprob,
    Usage,
)

OPTION_NAMES = {
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": "top_k",
    "max_tokens": "num_predict",
    "stop": "stop",
    "seed": "seed",
    "presence_penalty": "presence_penalty",
    "frequency_penalty": "frequency_penalty",
    "repeat_penalty": "repeat_penalty",
    "num_ctx": "num_ctx",
}


def to_ollama_options(options: GenerationOptions, default_num_ctx: int) -> dict[str, Any]:
    """Map gateway options to Ollama's names. num_ctx is always sent: Ollama's own default
    is small and it truncates longer prompts silently."""
    native = {OPTION_NAMES[k]: v for k, v in options.model_dump(exclude_none=True).items()}
    native.setdefault("num_ctx", default_num_ctx)
    return native


#: Ollama's words for a prompt over num_ctx ("the input length exceeds the context length",
#: "input exceeds context length"); by default it truncates silently instead.
CONTEXT_ERROR = re.compile(r"exceeds? (?:the )?context (?:length|window)|context (?:length|window) exceeded", re.I)


def map_error(exc: BaseException, model: str, host: str) -> GatewayError:
    """Turn the client's and httpx's exceptions into the gateway's typed errors."""
    if isinstance(exc, GatewayError):
        return exc
    if isinstance(exc, ollama.ResponseError) and CONTEXT_ERROR.search(str(exc.error)):
        return ContextLengthExceeded(
            f"Ollama: {exc.error}; shorten the input or raise THINKROOM_NUM_CTX", backend="ollama", model=model
        )
    if isinstance(exc, ollama.ResponseError):
        if exc.status_code == 404:
            return ModelNotFound(
                f"model '{model}' is not available in Ollama at {host}; run: ollama pull {model}",
                backend="ollama",
                model=model,
            )
        if exc.status_code == -1:
            return BackendError(f"Ollama failed mid-response: {exc.error}", backend="ollama", model=model)
        if exc.status_code == 400:
            return InvalidRequest(f"Ollama rejected the request: {exc.error}", backend="ollama", model=model)
        return BackendError(f"Ollama error {exc.status_code}: {exc.error}", backend="ollama", model=model)
    if isinstance(exc, httpx.TimeoutException):
        return BackendTimeout(
            f"Ollama at {host} did not answer in time ({type(exc).__name__})", backend="ollama", model=model
        )
    if isinstance(exc, (ConnectionError, httpx.TransportError)):
        return BackendUnavailable(f"cannot reach Ollama at {host}: {exc}", backend="ollama", model=model)
    return BackendError(f"unexpected Ollama failure: {type(exc).__name__}: {exc}", backend="ollama", model=model)


#: Failures that happen before Ollama has accepted the request, so a retry cannot repeat work.
TRANSIENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, ConnectionError)
T = TypeVar("T")


async def with_retry(call: Callable[[], Awaitable[T]], attempts: int) -> T:
    """Retry a non-streaming request on connection-level failures, with short backoff.

    Streams are never retried: their tokens may already have reached the caller.
    """
    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type(TRANSIENT),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=0.2, max=2.0),
        reraise=True,
    ):
        with attempt:
            return await call()
    raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover


def _usage(model: str, response: Any) -> Usage:
    return Usage(
        backend="ollama",
        model=model,
        prompt_tokens=int(getattr(response, "prompt_eval_count", None) or 0),
        completion_tokens=int(getattr(response, "eval_count", None) or 0),
    )


def _finish(response: Any) -> FinishReason:
    return "length" if getattr(response, "done_reason", None) == "length" else "stop"


class OllamaBackend:
    """Talks to one Ollama host. Timeouts are explicit: the client's default is none."""

    name = "ollama"

    def __init__(
        self,
        host: str,
        *,
        default_model: str,
        num_ctx: int = 8192,
        timeout_s: float = 300.0,
        connect_timeout_s: float = 5.0,
        attempts: int = 3,
    ) -> None:
        self.host = host
        self._default_model = default_model
        self.num_ctx = num_ctx
        self.attempts = attempts
        timeout = httpx.Timeout(timeout_s, connect=connect_timeout_s)
        self.client = ollama.AsyncClient(host=host, timeout=timeout)
        self._info_cache: dict[str, ModelInfo] = {}

    @property
    def default_model(self) -> str:
        return self._default_model

    def _messages(self, messages: list[ChatMessage]) -> list[dict[str, str]]:
        return [{"role": m.role, "content": m.content} for m in messages]

    async def chat(
        self,
        messages: list[ChatMessage],
        model: str,
        options: GenerationOptions,
        json_schema: dict[str, Any] | None = None,
    ) -> ChatResult:
        try:
            response = await with_retry(
                lambda: self.client.chat(
                    model=model,
                    messages=self._messages(messages),
                    options=to_ollama_options(options, self.num_ctx),
                    format=json_schema,
                    stream=False,
                ),
                self.attempts,
            )
        except Exception as exc:
            raise map_error(exc, model, self.host) from exc
        text = response.message.content or ""
        return ChatResult(text=text, usage=_usage(model, response), finish_reason=_finish(response))

    async def stream(
        self, messages: list[ChatMessage], model: str, options: GenerationOptions
    ) -> AsyncIterator[StreamChunk]:
        try:
            parts = await self.client.chat(
                model=model,
                messages=self._messages(messages),
                options=to_ollama_options(options, self.num_ctx),
                stream=True,
            )
            async for part in parts:
                if part.message and part.message.content:
                    yield StreamChunk(text=part.message.content)
                if part.done:
                    yield StreamChunk(done=True, usage=_usage(model, part), finish_reason=_finish(part))
                    return
        except Exception as exc:
            raise map_error(exc, model, self.host) from exc
        raise BackendError("Ollama closed the stream before it was done", backend="ollama", model=model)

    async def next_token(self, prompt: str, model: str, top_k: int) -> list[TokenLogprob]:
        try:
            response = await self.client.generate(
                model=model,
                prompt=prompt,
                raw=True,
                options={"num_predict": 1, "temperature": 0, "num_ctx": self.num_ctx},
                logprobs=True,
                top_logprobs=top_k,
            )
        except Exception as exc:
            raise map_error(exc, model, self.host) from exc
        if not response.logprobs:
            raise InvalidRequest(
                "this Ollama server returned no logprobs (needs Ollama >= 0.12.11)", backend="ollama", model=model
            )
        first = response.logprobs[0]
        candidates = first.top_logprobs or [first]
        ranked = sorted(candidates, key=lambda c: -c.logprob)[:top_k]
        return [TokenLogprob(token=c.token, logprob=c.logprob, prob=math.exp(c.logprob)) for c in ranked]

    async def count_tokens(self, text: str, model: str) -> int:
        """Ollama has no tokenize endpoint; a zero-token generation reports the prompt count."""
        try:
            response = await self.client.generate(
                model=model, prompt=text, raw=True, options={"num_predict": 0, "num_ctx": self.num_ctx}
            )
        except Exception as exc:
            raise map_error(exc, model, self.host) from exc
        return int(response.prompt_eval_count or 0)

    async def list_models(self) -> list[ModelInfo]:
        try:
            listing = await with_retry(self.client.list, self.attempts)
        except Exception as exc:
            raise map_error(exc, "", self.host) from exc
        infos = []
        for entry in listing.models:
            name = entry.model or ""
            try:
                info = await self.model_info(name)
            except ModelNotFound:
                continue
            info.size_bytes = int(entry.size) if entry.size is not None else None
            infos.append(info)
        return infos

    async def model_info(self, model: str) -> ModelInfo:
        """Capabilities (tools, thinking, ...) as `/api/show` reports them; cached per model."""
        if model in self._info_cache:
            return self._info_cache[model]
        try:
            shown = await with_retry(lambda: self.client.show(model), self.attempts)
        except Exception as exc:
            raise map_error(exc, model, self.host) from exc
        context_length = None
        for key, value in (shown.modelinfo or {}).items():
            if key.endswith(".context_length"):
                context_length = int(value)
        info = ModelInfo(
            name=model,
            backend=self.name,
            capabilities=list(shown.capabilities or ["completion"]),
            context_length=context_length,
            family=shown.details.family if shown.details else None,
        )
        self._info_cache[model] = info
        return info

    async def pull(self, model: str) -> AsyncIterator[PullProgress]:
        try:
            async for progress in await self.client.pull(model, stream=True):
                yield PullProgress(status=progress.status or "", completed=progress.completed, total=progress.total)
        except Exception as exc:
            raise map_error(exc, model, self.host) from exc
        self._info_cache.pop(model, None)

    async def close(self) -> None:
        await self.client.close()


async def ollama_version(host: str, timeout_s: float) -> str | None:
    """Ollama's version if `/api/version` answers within the timeout, else None."""
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            response = await client.get(f"{host}/api/version")
            if response.status_code == 200:
                return str(response.json().get("version", "unknown"))
    except (httpx.HTTPError, json.JSONDecodeError, ValueError):
        return None
    return None
