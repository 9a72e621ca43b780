"""Fitting prompts and chat histories into a model's context window, counted in tokens.

Small local models have small windows (the embedded Gemma 3 270M runs with 4096 tokens),
so a long conversation must be trimmed before it reaches the backend: llama.cpp fails
outright on an oversized prompt and Ollama silently drops its start. `fit_history` keeps
the system prompt and the user's last message, drops the oldest turns until the rest fits
the budget (the window minus a reserve for the reply) and says what it did; a message that
cannot fit even alone raises ContextLengthExceeded with the numbers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from agents.errors import AgentRunError
from agents.llm.errors import ContextLengthExceeded, GatewayError
from agents.llm.gateway import Gateway
from agents.llm.types import ChatMessage, ModelInfo
from agents.personas.base import Persona

T = TypeVar("T")

#: Tokens kept free for the reply when the caller sets no max_tokens (the embedded backend's default).
DEFAULT_REPLY_RESERVE = 512
#: The reply reserve never takes more than this share of the window, so history still fits a small model.
MAX_RESERVE_SHARE = 0.25
#: A prompt must leave at least this many tokens to answer in, or it counts as not fitting.
MIN_REPLY_TOKENS = 32
#: Tokens a prompt format adds per message (role markers such as "Question:", turn separators).
MESSAGE_OVERHEAD = 6
#: Tokens a prompt format adds once (BOS, the open "Answer:" line, the embedded model's one-line primer).
PROMPT_OVERHEAD = 40
#: What a framework wraps around a persona's task: CrewAI's ReAct format and tool schemas, AutoGen's
#: tool prompt. Measured on the embedded model: the tutor's first CrewAI prompt is 884 tokens for an
#: 8-token task, 99 of them its instructions; the other personas' first prompts are under 400.
AGENT_SCAFFOLD_TOKENS = 1024
#: Room an agent needs beyond its prompt: a tool call, its result and the reply (ReAct appends them
#: to the prompt), so a fitted history still leaves the agent a few steps.
AGENT_WORKSPACE_TOKENS = 1024

TokenCounter = Callable[[str], int]


@dataclass(frozen=True)
class ContextFit:
    """The messages to send and how they were fitted: what the reply metadata reports."""

    messages: list[ChatMessage]
    dropped_turns: int
    tokens: int
    budget: int
    context_length: int | None

    def report(self) -> dict[str, Any]:
        return {
            "dropped_turns": self.dropped_turns,
            "tokens": self.tokens,
            "budget": self.budget,
            "context_length": self.context_length,
        }


def omitted_note(dropped: int) -> ChatMessage:
    """The one line that stands in for dropped turns, so the model knows the talk started earlier."""
    turns = "turn" if dropped == 1 else "turns"
    return ChatMessage(role="system", content=f"({dropped} earlier {turns} of this conversation omitted.)")


def reply_reserve(context_length: int, max_tokens: int | None) -> int:
    """Tokens to keep free for the answer: its max_tokens (or the default), at most a quarter of the window."""
    wanted = max_tokens or DEFAULT_REPLY_RESERVE
    return max(MIN_REPLY_TOKENS, min(wanted, int(context_length * MAX_RESERVE_SHARE)))


def fit_history(
    messages: Sequence[ChatMessage],
    *,
    context_length: int | None,
    count: TokenCounter,
    reserve: int = DEFAULT_REPLY_RESERVE,
    fixed_tokens: int = 0,
    note: bool = True,
) -> ContextFit:
    """A sliding window over `messages` that fits `context_length - reserve` tokens.

    Leading system messages and the last message are always kept; the oldest turns between
    them go first (a dropped user turn takes its answer with it, so the transcript still
    opens with a user turn) and, with `note`, one system line says how many went.
    `fixed_tokens` counts what the caller adds around the messages (an agent's scaffolding).
    With no known window nothing is dropped. Raises ContextLengthExceeded when the kept
    messages alone leave no room to answer.
    """
    messages = list(messages)
    if not messages:
        return ContextFit([], 0, 0, 0, context_length)
    cost = [count(m.content) + MESSAGE_OVERHEAD for m in messages]
    head = 0
    while head < len(messages) - 1 and messages[head].role == "system":
        head += 1
    pinned = PROMPT_OVERHEAD + fixed_tokens + sum(cost[:head]) + cost[-1]
    if context_length is None:
        return ContextFit(messages, 0, pinned + sum(cost[head:-1]), 0, None)
    budget = context_length - reserve
    if pinned > context_length - MIN_REPLY_TOKENS:
        raise ContextLengthExceeded.of(pinned, context_length)
    note_cost = count(omitted_note(len(messages)).content) + MESSAGE_OVERHEAD if note else 0
    start, end = head, len(messages) - 1  # history is messages[start:end]
    history_tokens = sum(cost[start:end])
    while start < end and pinned + history_tokens + (note_cost if start > head else 0) > budget:
        history_tokens -= cost[start]
        start += 1
        while start < end and messages[start].role != "user":  # a reply never opens the window
            history_tokens -= cost[start]
            start += 1
    dropped = start - head
    kept = messages[:head] + ([omitted_note(dropped)] if dropped and note else []) + messages[start:]
    tokens = pinned + history_tokens + (note_cost if dropped and note else 0)
    return ContextFit(kept, dropped, tokens, budget, context_length)


def window_of(gateway: Gateway, info: ModelInfo) -> int | None:
    """The window the backend really uses for the model `info` describes, or None when nothing says.

    Ollama answers within the num_ctx it is sent (the option, else the backend's setting),
    not the model's trained length; llama.cpp within the n_ctx it loaded with, which its
    ModelInfo reports.
    """
    sent = gateway.default_options.num_ctx or getattr(gateway.backend, "num_ctx", None)
    windows = [n for n in (info.context_length, sent) if isinstance(n, int) and n > 0]
    return min(windows) if windows else None


async def context_length_of(gateway: Gateway, model: str | None = None) -> int | None:
    """`window_of` the named (or default) model; a backend fault raises its GatewayError."""
    return window_of(gateway, await gateway.model_info(model))


def counter_of(gateway: Gateway) -> TokenCounter:
    """The backend's own tokenizer when it has a synchronous one, else a 4-characters estimate.

    It may block on the model's lock (`gateway.counting_blocks`): call what uses it through `off_loop`.
    """
    return gateway.count_tokens_sync


async def off_loop(gateway: Gateway, work: Callable[[], T]) -> T:
    """Run token-counting `work` on a worker thread when the counter can block, else inline.

    The hop costs more than counting with the scripted or estimating counters, which never wait.
    """
    return await asyncio.to_thread(work) if gateway.counting_blocks else work()


def reply_max_tokens(gateway: Gateway, persona: Persona | None = None) -> int | None:
    """The max_tokens a call through `gateway` will ask for: defaults, the persona's, then the operator's cap."""
    wanted = gateway.default_options.merged(persona.options if persona else None).max_tokens
    cap = gateway.max_tokens_cap
    return cap if cap is not None and (wanted is None or wanted > cap) else wanted


async def fit_chat(gateway: Gateway, messages: Sequence[ChatMessage], *, persona: Persona | None = None) -> ContextFit:
    """`messages` fitted to the window of the model that will answer, with room for its reply.

    For a persona, its instructions and the framework's scaffolding are counted as fixed
    (the agent framework adds them around the history) and room is kept for its tool steps.
    """
    window = await context_length_of(gateway, persona.model if persona else None)
    count = counter_of(gateway)
    reserve = reply_reserve(window, reply_max_tokens(gateway, persona)) if window else 0
    if persona and window:
        reserve = max(reserve, min(AGENT_WORKSPACE_TOKENS, int(window * MAX_RESERVE_SHARE)))

    def fit() -> ContextFit:
        fixed = AGENT_SCAFFOLD_TOKENS + count(persona.system_prompt()) if persona else 0
        return fit_history(messages, context_length=window, count=count, reserve=reserve, fixed_tokens=fixed)

    try:
        return await off_loop(gateway, fit)
    except ContextLengthExceeded as exc:
        what = "the last message with the agent's instructions" if persona else "the last message"
        raise ContextLengthExceeded.of(
            exc.prompt_tokens,
            exc.context_length,
            what=what,
            backend=gateway.backend_name,
            model=(persona.model if persona else None) or gateway.default_model,
        ) from None


async def fit_agent_task(
    gateway: Gateway, persona: Persona, task: str, info: ModelInfo | None = None
) -> dict[str, Any]:
    """Check that a persona's instructions, scaffolding and `task` fit its model's window.

    Returns what the reply's `context` metadata reports; raises AgentRunError (caused by
    ContextLengthExceeded) at once, rather than after the framework has started a run that
    the backend would reject part-way through. `info` saves a model lookup when known.
    """
    try:
        window = window_of(gateway, info) if info is not None else await context_length_of(gateway, persona.model)
    except GatewayError as exc:
        raise AgentRunError.from_gateway(exc) from exc
    count = counter_of(gateway)
    messages = [ChatMessage(role="system", content=persona.system_prompt()), ChatMessage(role="user", content=task)]
    try:
        fit = await off_loop(
            gateway,
            lambda: fit_history(
                messages, context_length=window, count=count, reserve=MIN_REPLY_TOKENS,
                fixed_tokens=AGENT_SCAFFOLD_TOKENS,
            ),
        )
    except ContextLengthExceeded as exc:
        error = ContextLengthExceeded.of(
            exc.prompt_tokens,
            exc.context_length,
            what="the agent's task with its instructions",
            backend=gateway.backend_name,
            model=persona.model or gateway.default_model,
        )
        raise AgentRunError.from_gateway(error) from error
    return fit.report()


__all__ = [
    "AGENT_SCAFFOLD_TOKENS",
    "ContextFit",
    "context_length_of",
    "counter_of",
    "fit_agent_task",
    "fit_chat",
    "fit_history",
    "omitted_note",
    "reply_max_tokens",
    "reply_reserve",
    "window_of",
]
