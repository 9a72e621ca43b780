"""llama.cpp in-process (llama-cpp-python): the offline model when no Ollama is reachable.

llama.cpp is not thread-safe and each call is CPU-bound, so every call runs on one
dedicated worker thread behind a lock; the event loop never blocks and the server stays
responsive while the model works. The model loads lazily on first use so start-up is fast.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from ..errors import BackendError, BackendUnavailable, ContextLengthExceeded, GatewayError, InvalidRequest
from ..grammar import grammar_schema
from ..model_files import resolve_gguf
from ..prompt_format import render_completion_prompt, stops_for
from ..types import (
    ChatMessage,
    ChatResult,
    GenerationOptions,
    ModelInfo,
    PullProgress,
    StreamChunk,
    TokenLogprob,
    Usage,
)

if TYPE_CHECKING:
    from llama_cpp import Llama

T = TypeVar("T")

#: llama-cpp-python's own default is 16 tokens, far too short for an answer.
DEFAULT_MAX_TOKENS = 512
#: Small base models loop on their own output without a mild penalty (llama.cpp's default is 1.0).
DEFAULT_REPEAT_PENALTY = 1.1

OPTION_NAMES = {
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": "top_k",
    "max_tokens": "max_tokens",
    "stop": "stop",
    "seed": "seed",
    "presence_penalty": "presence_penalty",
    "frequency_penalty": "frequency_penalty",
    "repeat_penalty": "repeat_penalty",
}


def to_llama_kwargs(options: GenerationOptions) -> dict[str, Any]:
    """Map gateway options to `Llama.create_completion` keywords.

    num_ctx is fixed when the model loads (THINKROOM_EMBEDDED_N_CTX), so it is not a
    per-call option here; the gateway checks prompts against it instead.
    """
    kwargs = {OPTION_NAMES[k]: v for k, v in options.model_dump(exclude_none=True).items() if k in OPTION_NAMES}
    kwargs.setdefault("max_tokens", DEFAULT_MAX_TOKENS)
    kwargs.setdefault("repeat_penalty", DEFAULT_REPEAT_PENALTY)
    return kwargs


#: Control tokens a base model sometimes samples; llama.cpp renders them as text.
CONTROL_TOKEN_TEXT = re.compile(r"<(?:start|end)_of_(?:image|turn)>|<pad>|<mask>|<unk>|<bos>|<eos>")


def strip_control_tokens(text: str) -> str:
    """Drop rendered control tokens, which are never part of an answer."""
    return CONTROL_TOKEN_TEXT.sub("", text)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits.astype(np.float64) - float(np.max(logits))
    return shifted - math.log(float(np.exp(shifted).sum()))


def shared_prefix_length(cached: list[int], tokens: list[int]) -> int:
    """How many leading tokens the KV cache already holds for this prompt."""
    length = 0
    for old, new in zip(cached, tokens, strict=False):
        if old != new:
            break
        length += 1
    return length


def completion_room(prompt_tokens: int, n_ctx: int, max_tokens: int, *, model: str = "") -> int:
    """How many tokens the answer may have: `max_tokens`, clamped to what the window has left.

    llama.cpp fails with "Requested tokens (N) exceed context window" when the prompt does
    not fit; that becomes a typed ContextLengthExceeded with both numbers. When only the
    answer would overflow, it is shortened instead (finish_reason "length" if it runs out).
    """
    room = n_ctx - prompt_tokens
    if room < 1:
        raise ContextLengthExceeded.of(prompt_tokens, n_ctx, backend="embedded", model=model)
    return min(max_tokens, room)


def reuse_or_reset(llm: Llama, prompt: str) -> list[int]:
    """Keep the KV cache only when it already holds this whole prompt.

    An exact repeat (self-consistency samples, retries) then skips prompt evaluation,
    while a partial reuse, which makes llama.cpp's sampled output depend on the previous
    prompt, is avoided: the same prompt, options and seed always give the same text.
    """
    tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
    if shared_prefix_length(llm._input_ids.tolist(), tokens) < len(tokens):
        llm.reset()
    return tokens


class EmbeddedBackend:
    """One GGUF model served by llama.cpp on a single worker thread."""

    name = "embedded"

    def __init__(
        self,
        model_path: Path | None,
        cache_dir: Path,
        *,
        n_ctx: int = 4096,
        n_threads: int = 0,
    ) -> None:
        self._explicit_path = model_path
        self._cache_dir = cache_dir
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self._model_name = model_path.stem if model_path else "gemma3-270m"
        self._llm: Llama | None = None
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama")

    @property
    def default_model(self) -> str:
        return self._model_name

    # -- worker-thread helpers -------------------------------------------------
    def _load(self) -> Llama:
        """Load the model once (called on the worker thread, under the lock)."""
        if self._llm is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise BackendUnavailable(
                    "llama-cpp-python is not installed; run: pip install -e '.[embedded]'", backend=self.name
                ) from exc
            self._model_name, path = resolve_gguf(self._explicit_path, self._cache_dir)
            try:
                self._llm = Llama(
                    model_path=str(path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads or None,
                    logits_all=False,
                    verbose=False,
                )
            except Exception as exc:
                raise BackendUnavailable(f"cannot load GGUF {path}: {exc}", backend=self.name) from exc
        return self._llm

    async def _run(self, fn: Callable[[], T]) -> T:
        def locked() -> T:
            with self._lock:
                return fn()

        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, locked)
        except GatewayError:
            raise
        except Exception as exc:
            raise BackendError(f"llama.cpp failed: {type(exc).__name__}: {exc}", backend=self.name) from exc

    def _check_model(self, model: str) -> None:
        """The one model this backend serves is known before it loads: refuse any other name up front."""
        if model and model != self._model_name:
            from ..errors import ModelNotFound

            raise ModelNotFound(
                f"the embedded backend serves '{self._model_name}', not '{model}'; "
                "set THINKROOM_EMBEDDED_MODEL=/path/to/model.gguf to use another GGUF",
                backend=self.name,
                model=model,
            )

    def _prompt(self, messages: list[ChatMessage]) -> str:
        if not messages:
            raise InvalidRequest("at least one message is required", backend=self.name)
        return render_completion_prompt(messages)

    # -- Backend protocol ------------------------------------------------------
    async def chat(
        self,
        messages: list[ChatMessage],
        model: str,
        options: GenerationOptions,
        json_schema: dict[str, Any] | None = None,
    ) -> ChatResult:
        prompt = self._prompt(messages)
        kwargs = to_llama_kwargs(options)
        kwargs["stop"] = stops_for(messages, options.stop)

        def call() -> dict[str, Any]:
            llm = self._load()
            if json_schema is not None:
                from llama_cpp import LlamaGrammar

                safe_schema = json.dumps(grammar_schema(json_schema))
                kwargs["grammar"] = LlamaGrammar.from_json_schema(safe_schema, verbose=False)
                kwargs["stop"] = list(options.stop or [])
            tokens = reuse_or_reset(llm, prompt)
            room = completion_room(len(tokens), llm.n_ctx(), kwargs["max_tokens"], model=self._model_name)
            kwargs["max_tokens"] = room
            result: dict[str, Any] = llm.create_completion(prompt, **kwargs)  # type: ignore[assignment]
            return result

        self._check_model(model)
        result = await self._run(call)
        choice = result["choices"][0]
        usage = result.get("usage") or {}
        return ChatResult(
            text=strip_control_tokens(
                str(choice["text"]).strip() if prompt != messages[-1].content else choice["text"]
            ),
            usage=Usage(
                backend=self.name,
                model=self._model_name,
                prompt_tokens=int(usage.get("prompt_tokens", 0)),
                completion_tokens=int(usage.get("completion_tokens", 0)),
            ),
            finish_reason="length" if choice.get("finish_reason") == "length" else "stop",
        )

    async def stream(
        self, messages: list[ChatMessage], model: str, options: GenerationOptions
    ) -> AsyncIterator[StreamChunk]:
        prompt = self._prompt(messages)
        kwargs = to_llama_kwargs(options)
        kwargs["stop"] = stops_for(messages, options.stop)
        self._check_model(model)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        cancelled = threading.Event()

        def produce() -> None:
            try:
                with self._lock:
                    llm = self._load()
                    tokens = reuse_or_reset(llm, prompt)
                    room = completion_room(len(tokens), llm.n_ctx(), kwargs["max_tokens"], model=self._model_name)
                    parts: Iterator[Any] = llm.create_completion(  # type: ignore[assignment]
                        prompt, stream=True, **{**kwargs, "max_tokens": room}
                    )
                    pieces: list[str] = []
                    finish = "stop"
                    for part in parts:
                        if cancelled.is_set():
                            break
                        choice = part["choices"][0]
                        piece = strip_control_tokens(choice["text"])
                        pieces.append(piece)
                        finish = "length" if choice.get("finish_reason") == "length" else finish
                        loop.call_soon_threadsafe(queue.put_nowait, ("text", piece))
                    text = "".join(pieces)
                    counts = (
                        len(llm.tokenize(prompt.encode("utf-8"), add_bos=True)),
                        len(llm.tokenize(text.encode("utf-8"), add_bos=False)) if text else 0,
                    )
                loop.call_soon_threadsafe(queue.put_nowait, ("done", (counts, finish)))
            except Exception as exc:  # noqa: BLE001 - forwarded to the consumer as a typed error
                loop.call_soon_threadsafe(queue.put_nowait, ("error", exc))

        worker = loop.run_in_executor(self._executor, produce)
        leading = prompt != messages[-1].content
        try:
            while True:
                kind, payload = await queue.get()
                if kind == "text":
                    if leading:
                        payload = payload.lstrip()
                        leading = not payload
                    if payload:
                        yield StreamChunk(text=payload)
                elif kind == "done":
                    (prompt_tokens, completion_tokens), finish = payload
                    usage = Usage(
                        backend=self.name,
                        model=self._model_name,
                        prompt_tokens=prompt_tokens,
                        completion_tokens=completion_tokens,
                    )
                    yield StreamChunk(done=True, usage=usage, finish_reason=finish)
                    return
                else:
                    if isinstance(payload, GatewayError):
                        raise payload
                    raise BackendError(f"llama.cpp failed mid-stream: {payload}", backend=self.name) from payload
        finally:
            cancelled.set()  # the worker stops after its current token and frees the lock
            del worker

    async def next_token(self, prompt: str, model: str, top_k: int) -> list[TokenLogprob]:
        """Real log-probabilities from the model's logits for the token after `prompt`."""

        def call() -> list[TokenLogprob]:
            llm = self._load()
            tokens = reuse_or_reset(llm, prompt)
            completion_room(len(tokens), llm.n_ctx(), 1, model=self._model_name)
            llm.n_tokens = max(0, min(llm.n_tokens, len(tokens) - 1))
            llm.eval(tokens[llm.n_tokens :])
            logits = np.ctypeslib.as_array(llm._ctx.get_logits_ith(-1), shape=(llm.n_vocab(),))
            logprobs = log_softmax(logits)
            top = np.argsort(-logprobs)[:top_k]
            return [
                TokenLogprob(
                    token=llm.detokenize([int(i)]).decode("utf-8", errors="replace"),
                    logprob=float(logprobs[i]),
                    prob=float(math.exp(logprobs[i])),
                )
                for i in top
            ]

        self._check_model(model)
        return await self._run(call)

    async def count_tokens(self, text: str, model: str) -> int:
        return await self._run(lambda: len(self._load().tokenize(text.encode("utf-8"), add_bos=False)))

    count_tokens_sync_blocks = True  # it takes the model's lock, held for a whole generation

    def count_tokens_sync(self, text: str) -> int:
        with self._lock:
            return len(self._load().tokenize(text.encode("utf-8"), add_bos=False))

    async def list_models(self) -> list[ModelInfo]:
        return [await self.model_info(self._model_name)]

    async def model_info(self, model: str) -> ModelInfo:
        self._check_model(model)
        return ModelInfo(
            name=self._model_name,
            backend=self.name,
            capabilities=["completion", "logprobs", "json_schema"],
            context_length=self.n_ctx,
        )

    async def pull(self, model: str) -> AsyncIterator[PullProgress]:
        raise InvalidRequest(
            "the embedded backend has nothing to pull; set THINKROOM_EMBEDDED_MODEL to a local GGUF",
            backend=self.name,
        )
        yield  # pragma: no cover

    async def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def load_sync(self) -> Llama:
        """Load the model now (for benches and warm-up); safe from any thread."""
        with self._lock:
            return self._load()
