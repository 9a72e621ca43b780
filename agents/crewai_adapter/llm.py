"""GatewayLLM: CrewAI's model interface over the thinkroom gateway.

CrewAI calls `call()` synchronously from a worker thread, while the gateway is async and
bound to the caller's event loop (Ollama's httpx client must stay on the loop that made
it). So the async entry points run the crew in a thread and every `call()` hands a
coroutine that consumes `gateway.stream(...)` back to that loop and waits for it.
Tokens are forwarded as they arrive; usage is kept per LLM for the AgentReply.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from crewai.events.types.llm_events import LLMCallType
from crewai.llms.base_llm import BaseLLM, llm_call_context
from crewai.utilities.i18n import I18N_DEFAULT
from pydantic import BaseModel, PrivateAttr

from agents.llm.errors import GatewayError
from agents.llm.gateway import Gateway
from agents.llm.types import ChatMessage, GenerationOptions, ModelInfo, Usage

from .errors import AgentRunError

logger = logging.getLogger(__name__)

TokenCallback = Callable[[str], None]

#: Fallback context window (tokens) when the backend does not report one.
DEFAULT_CONTEXT_TOKENS = 8192
#: Share of the context CrewAI may fill before it summarises (the rest is room for the answer).
CONTEXT_USE = 0.85
#: CrewAI's prompt after max_iter; seeing it means the run was cut short.
FORCE_FINAL_ANSWER = str(I18N_DEFAULT.errors("force_final_answer"))
_OBSERVATION = re.compile(r"\n?Observation:")


def content_text(content: Any) -> str:
    """Plain text of a CrewAI message content: a string or a list of content blocks."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [b.get("text", "") if isinstance(b, dict) else str(b) for b in content]
        return "\n".join(t for t in texts if t)
    return str(content)


def to_gateway_messages(messages: str | list[Any]) -> list[ChatMessage]:
    """Map CrewAI messages to gateway messages.

    In CrewAI's text ReAct the tool's "Observation:" is appended to the assistant turn,
    but it is the environment speaking, not the model: it becomes a user turn so chat
    templates (and scripted rules, which match user text) see it as input. Consecutive
    turns of one role are merged because several chat templates require alternation.
    """
    if isinstance(messages, str):
        return [ChatMessage(role="user", content=messages)]
    turns: list[tuple[str, str]] = []
    for message in messages:
        role = str(message.get("role", "user"))
        text = content_text(message.get("content"))
        if role == "assistant":
            parts = _OBSERVATION.split(text, maxsplit=1)
            turns.append(("assistant", parts[0].rstrip()))
            if len(parts) == 2:
                turns.append(("user", "Observation:" + parts[1]))
        elif role == "system":
            turns.append(("system", text))
        elif role == "tool":
            turns.append(("user", f"Observation: {text}"))
        else:
            turns.append(("user", text))
    merged: list[ChatMessage] = []
    for role, text in turns:
        if not text.strip():
            continue
        if merged and merged[-1].role == role:
            merged[-1] = ChatMessage(role=merged[-1].role, content=f"{merged[-1].content}\n\n{text}")
        else:
            merged.append(ChatMessage(role=role, content=text))  # type: ignore[arg-type]
    if not merged:
        merged.append(ChatMessage(role="user", content=""))
    return merged


class GatewayLLM(BaseLLM):
    """A CrewAI LLM whose every call streams through the gateway on the caller's event loop."""

    llm_type: str = "thinkroom-gateway"
    provider: str = "thinkroom"

    _gateway: Gateway = PrivateAttr()
    _loop: asyncio.AbstractEventLoop = PrivateAttr()
    _options: GenerationOptions = PrivateAttr()
    _on_token: TokenCallback | None = PrivateAttr(default=None)
    _capabilities: list[str] = PrivateAttr(default_factory=list)
    _context_length: int | None = PrivateAttr(default=None)
    _call_timeout_s: float = PrivateAttr(default=600.0)
    _deadline: float | None = PrivateAttr(default=None)
    _usage: list[Usage] = PrivateAttr(default_factory=list)
    _calls: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _inflight: set[concurrent.futures.Future[Any]] = PrivateAttr(default_factory=set)
    _cancel_reason: str | None = PrivateAttr(default=None)
    _failure: AgentRunError | None = PrivateAttr(default=None)
    _token_error_logged: bool = PrivateAttr(default=False)
    _forced_final: bool = PrivateAttr(default=False)

    def __init__(
        self,
        gateway: Gateway,
        loop: asyncio.AbstractEventLoop,
        *,
        model: str | None = None,
        options: GenerationOptions | None = None,
        on_token: TokenCallback | None = None,
        model_info: ModelInfo | None = None,
        call_timeout_s: float = 600.0,
    ) -> None:
        opts = options or GenerationOptions()
        name = model or gateway.default_model or "default"
        super().__init__(
            model=name,
            provider="thinkroom",
            temperature=opts.temperature,
            top_p=opts.top_p,
            max_tokens=opts.max_tokens,
            seed=opts.seed,
            stop=list(opts.stop or []),
            stream=True,
        )
        self._gateway = gateway
        self._loop = loop
        self._options = opts
        self._on_token = on_token
        self._call_timeout_s = call_timeout_s
        if model_info is not None:
            self._capabilities = list(model_info.capabilities)
            self._context_length = model_info.context_length

    # -- capabilities -------------------------------------------------------------------

    @property
    def capabilities(self) -> list[str]:
        return list(self._capabilities)

    @property
    def model_supports_tools(self) -> bool:
        """What the model itself can do ("tools" in its capabilities)."""
        return "tools" in self._capabilities

    #: The gateway has no tool-call API, so even a tool-capable model is driven by
    #: CrewAI's text ReAct; flip only together with a native tool-call implementation.
    native_tool_calls: ClassVar[bool] = False

    def supports_function_calling(self) -> bool:
        """Native function calling only if the model has it AND this adapter implements it.

        False for every model without "tools" (e.g. Gemma 3), so CrewAI uses text ReAct
        and Ollama never sees a tools payload it would reject with 400.
        """
        return self.native_tool_calls and self.model_supports_tools

    def supports_stop_words(self) -> bool:
        return True

    def get_context_window_size(self) -> int:
        return int((self._context_length or DEFAULT_CONTEXT_TOKENS) * CONTEXT_USE)

    def get_input_tokens_count(self, messages: Any, tools: Any = None, response_model: Any = None) -> int:
        """The backend's own token count (CrewAI's fallback logs a warning on every call)."""
        text = "\n".join(m.content for m in to_gateway_messages(messages))
        return self._gateway.count_tokens_sync(text)

    # -- run control --------------------------------------------------------------------

    @property
    def usage(self) -> list[Usage]:
        """One record per completed model call made through this LLM."""
        with self._lock:
            return list(self._usage)

    @property
    def calls(self) -> int:
        return self._calls

    @property
    def forced_final_answer(self) -> bool:
        """True once CrewAI hit max_iter and demanded a final answer."""
        return self._forced_final

    @property
    def failure(self) -> AgentRunError | None:
        """The first unrecoverable error, kept so a run can report it even if CrewAI wraps it."""
        return self._failure

    def set_deadline(self, deadline: float | None) -> None:
        """Absolute time.monotonic() after which calls fail with stop_reason "timeout"."""
        self._deadline = deadline

    def cancel(self, reason: str = "cancelled") -> None:
        """Stop the run: the model call in flight is cancelled and every later call fails.

        CrewAI's worker thread cannot be killed, so this is how a timed-out run ends.
        """
        self._cancel_reason = reason
        with self._lock:
            inflight = list(self._inflight)
        for future in inflight:
            future.cancel()

    def _remaining(self) -> float:
        timeout = self._call_timeout_s
        if self._deadline is not None:
            timeout = min(timeout, self._deadline - time.monotonic())
        return timeout

    def _fail(self, error: AgentRunError) -> AgentRunError:
        if self._failure is None:
            self._failure = error
        return error

    def _check_runnable(self) -> None:
        if self._cancel_reason is not None:
            raise AgentRunError(f"agent run stopped: {self._cancel_reason}", stop_reason=self._cancel_reason)
        if self._failure is not None:
            raise self._failure
        if self._remaining() <= 0:
            raise self._fail(AgentRunError("agent run timed out before the next model call", stop_reason="timeout"))

    def _options_for_call(self) -> GenerationOptions:
        stops = list(dict.fromkeys([*(self._options.stop or []), *self.stop_sequences]))
        return self._options.model_copy(update={"stop": stops or None})

    # -- calls --------------------------------------------------------------------------

    async def _stream(
        self, messages: list[ChatMessage], options: GenerationOptions, from_task: Any, from_agent: Any
    ) -> tuple[str, Usage | None, str | None]:
        """Consume gateway.stream on the loop, forwarding every chunk as it arrives."""
        parts: list[str] = []
        usage: Usage | None = None
        finish: str | None = None
        response_id = uuid.uuid4().hex
        async for chunk in self._gateway.stream(messages, model=self.model, options=options):
            if chunk.text:
                parts.append(chunk.text)
                self._forward_token(chunk.text)
                self._emit_stream_chunk_event(
                    chunk.text,
                    from_task=from_task,
                    from_agent=from_agent,
                    call_type=LLMCallType.LLM_CALL,
                    response_id=response_id,
                )
            if chunk.done:
                usage, finish = chunk.usage, chunk.finish_reason
        return "".join(parts), usage, finish

    def _forward_token(self, text: str) -> None:
        if self._on_token is None:
            return
        try:
            self._on_token(text)
        except Exception:  # a broken listener must not kill the agent run
            if not self._token_error_logged:
                self._token_error_logged = True
                logger.exception("on_token callback failed; further token errors are not logged")

    def _run_on_loop(self, coro: Any) -> tuple[str, Usage | None, str | None]:
        """Run `coro` on the gateway's loop from this worker thread and wait, bounded."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            coro.close()
            raise AgentRunError("GatewayLLM.call() would block its own event loop; run the crew in a thread")
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        with self._lock:
            self._inflight.add(future)
        timeout = self._remaining()
        try:
            return future.result(timeout=max(timeout, 0.001))
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise self._fail(
                AgentRunError(f"model call timed out after {timeout:.0f} s", cause=exc, stop_reason="timeout")
            ) from exc
        except concurrent.futures.CancelledError as exc:
            reason = self._cancel_reason or "cancelled"
            raise AgentRunError(f"agent run stopped: {reason}", cause=exc, stop_reason=reason) from exc
        except GatewayError as exc:
            raise self._fail(AgentRunError.from_gateway(exc)) from exc
        finally:
            with self._lock:
                self._inflight.discard(future)

    def _record(self, usage: Usage | None) -> dict[str, int] | None:
        if usage is None:
            return None
        with self._lock:
            self._usage.append(usage)
        data = {
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.total_tokens,
        }
        self._track_token_usage_internal(data)
        return data

    def call(
        self,
        messages: str | list[Any],
        tools: list[dict[str, Any]] | None = None,
        callbacks: list[Any] | None = None,
        available_functions: dict[str, Any] | None = None,
        from_task: Any | None = None,
        from_agent: Any | None = None,
        response_model: type[BaseModel] | None = None,
    ) -> str:
        """One streamed completion, as text (tools go through CrewAI's text ReAct)."""
        with llm_call_context():
            self._emit_call_started_event(
                messages=messages,
                tools=tools,
                callbacks=callbacks,
                available_functions=available_functions,
                from_task=from_task,
                from_agent=from_agent,
            )
            try:
                self._check_runnable()
                formatted = self._format_messages(messages)
                self._invoke_before_llm_call_hooks(formatted, from_agent)
                chat = to_gateway_messages(formatted)
                if FORCE_FINAL_ANSWER and FORCE_FINAL_ANSWER in chat[-1].content:
                    self._forced_final = True
                self._calls += 1
                coro = self._stream(chat, self._options_for_call(), from_task, from_agent)
                text, usage, finish = self._run_on_loop(coro)
                usage_data = self._record(usage)
                text = self._apply_stop_words(text)
                text = self._invoke_after_llm_call_hooks(formatted, text, from_agent)
            except AgentRunError as exc:
                self._emit_call_failed_event(error=str(exc), from_task=from_task, from_agent=from_agent)
                raise
            self._emit_call_completed_event(
                response=text,
                call_type=LLMCallType.LLM_CALL,
                from_task=from_task,
                from_agent=from_agent,
                messages=messages,
                usage=usage_data,
                finish_reason=finish,
            )
            return text

    async def acall(
        self,
        messages: str | list[Any],
        tools: list[dict[str, Any]] | None = None,
        callbacks: list[Any] | None = None,
        available_functions: dict[str, Any] | None = None,
        from_task: Any | None = None,
        from_agent: Any | None = None,
        response_model: type[BaseModel] | None = None,
    ) -> str:
        """Async variant for CrewAI's async paths: the sync call, off the gateway's loop."""
        return await asyncio.to_thread(
            self.call, messages, tools, callbacks, available_functions, from_task, from_agent, response_model
        )


__all__ = ["GatewayLLM", "TokenCallback", "content_text", "to_gateway_messages"]
