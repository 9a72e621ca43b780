"""fit_history's sliding window, the window each backend really uses, and the agent preflight."""

from __future__ import annotations

import pytest

from agents.context_window import (
    AGENT_SCAFFOLD_TOKENS,
    MESSAGE_OVERHEAD,
    PROMPT_OVERHEAD,
    fit_agent_task,
    fit_chat,
    fit_history,
    reply_reserve,
    window_of,
)
from agents.errors import AgentRunError
from agents.llm import Gateway, GenerationOptions
from agents.llm.backends.scripted import ScriptedBackend, count_whitespace_tokens
from agents.llm.errors import ContextLengthExceeded
from agents.llm.types import ChatMessage, ModelInfo
from agents.personas import get_persona


def conversation(turns: int, words: int = 20) -> list[ChatMessage]:
    """A system prompt, `turns` user/assistant pairs of `words` words each, and a last question."""
    messages = [ChatMessage(role="system", content="You are a patient tutor.")]
    for i in range(turns):
        messages.append(ChatMessage(role="user", content=f"question{i} " + "word " * (words - 1)))
        messages.append(ChatMessage(role="assistant", content=f"answer{i} " + "word " * (words - 1)))
    messages.append(ChatMessage(role="user", content="And what is top-p?"))
    return messages


def prompt_cost(messages: list[ChatMessage]) -> int:
    return PROMPT_OVERHEAD + sum(count_whitespace_tokens(m.content) + MESSAGE_OVERHEAD for m in messages)


def test_a_short_conversation_is_kept_whole() -> None:
    messages = conversation(3)
    fit = fit_history(messages, context_length=4096, count=count_whitespace_tokens, reserve=512)
    assert fit.messages == messages and fit.dropped_turns == 0
    assert fit.tokens == prompt_cost(messages) and fit.budget == 4096 - 512


def test_a_long_conversation_drops_its_oldest_turns_and_says_so() -> None:
    messages = conversation(60)  # 1 + 120 + 1 messages, about 3300 tokens with overheads
    fit = fit_history(messages, context_length=1024, count=count_whitespace_tokens, reserve=256)
    assert fit.budget == 768
    assert fit.tokens <= fit.budget and prompt_cost(fit.messages) == fit.tokens
    assert fit.messages[0] == messages[0]  # the system prompt stays
    assert fit.messages[-1] == messages[-1]  # so does the question being answered
    note, first_kept = fit.messages[1], fit.messages[2]
    assert note.role == "system"
    assert note.content == f"({fit.dropped_turns} earlier turns of this conversation omitted.)"
    assert first_kept.role == "user"  # the window opens on a user turn, never on an orphan answer
    assert fit.messages[2:] == messages[1 + fit.dropped_turns :]  # the newest turns, in order
    # 768 - 61 pinned (overhead, system, question) - 14 for the note leaves 693: 26 turns of 26 tokens
    assert fit.dropped_turns == 120 - 26
    # as many turns as fit: one more kept pair would break the budget
    one_more = [messages[0], note, *messages[1 + fit.dropped_turns - 2 :]]
    assert prompt_cost(one_more) > fit.budget


def test_without_the_note_only_the_window_is_sent() -> None:
    fit = fit_history(conversation(60), context_length=1024, count=count_whitespace_tokens, reserve=256, note=False)
    assert [m.role for m in fit.messages[:2]] == ["system", "user"]
    assert fit.dropped_turns > 0 and fit.tokens <= fit.budget


def test_fixed_tokens_leave_less_room_for_history() -> None:
    plain = fit_history(conversation(60), context_length=2048, count=count_whitespace_tokens, reserve=256)
    agent = fit_history(
        conversation(60), context_length=2048, count=count_whitespace_tokens, reserve=256, fixed_tokens=1024
    )
    assert agent.dropped_turns > plain.dropped_turns and agent.tokens <= agent.budget


def test_a_message_that_cannot_fit_alone_raises_with_the_numbers() -> None:
    huge = [ChatMessage(role="user", content="word " * 20_000)]
    with pytest.raises(ContextLengthExceeded) as caught:
        fit_history(huge, context_length=4096, count=count_whitespace_tokens)
    assert caught.value.code == "context_length_exceeded"
    assert caught.value.prompt_tokens == 20_000 + MESSAGE_OVERHEAD + PROMPT_OVERHEAD
    assert caught.value.context_length == 4096
    assert "20046 tokens" in caught.value.message and "4096" in caught.value.message


def test_a_message_that_fits_only_without_its_reserve_is_sent_alone() -> None:
    messages = [*conversation(2)[:-1], ChatMessage(role="user", content="word " * 900)]
    fit = fit_history(messages, context_length=1024, count=count_whitespace_tokens, reserve=256)
    assert fit.messages[-1] == messages[-1] and fit.dropped_turns == 4
    assert fit.budget < fit.tokens < 1024  # the backend then shortens the reply to what is left


def test_no_known_window_keeps_everything() -> None:
    messages = conversation(60)
    fit = fit_history(messages, context_length=None, count=count_whitespace_tokens)
    assert fit.messages == messages and fit.dropped_turns == 0 and fit.report()["context_length"] is None


def test_reply_reserve_is_the_max_tokens_but_at_most_a_quarter_of_the_window() -> None:
    assert reply_reserve(4096, None) == 512
    assert reply_reserve(4096, 100) == 100
    assert reply_reserve(4096, 4000) == 1024
    assert reply_reserve(256, 4) == 32  # never below the minimum answer


class OllamaLike(ScriptedBackend):
    num_ctx = 2048


async def test_ollama_answers_within_num_ctx_not_the_trained_length() -> None:
    info = ModelInfo(name="llama3.2:3b", backend="ollama", context_length=131072)
    gateway = Gateway(OllamaLike([]))
    assert window_of(gateway, info) == 2048
    assert window_of(gateway.with_defaults(options=GenerationOptions(num_ctx=1024)), info) == 1024
    assert window_of(Gateway(ScriptedBackend([])), ModelInfo(name="m", backend="embedded", context_length=4096)) == 4096
    assert window_of(Gateway(ScriptedBackend([])), ModelInfo(name="m", backend="scripted")) is None


async def test_fit_chat_reserves_the_reply_and_an_agents_workspace() -> None:
    gateway = Gateway(ScriptedBackend([], context_length=4096))
    plain = await fit_chat(gateway, conversation(60, words=40))
    tutor = await fit_chat(gateway, conversation(60, words=40), persona=get_persona("tutor"))
    assert plain.budget == 4096 - 512 and tutor.budget == 4096 - 1024
    assert tutor.tokens <= tutor.budget and plain.tokens <= plain.budget
    assert tutor.tokens >= AGENT_SCAFFOLD_TOKENS  # the scaffolding is counted
    assert tutor.dropped_turns > plain.dropped_turns > 0
    capped = await fit_chat(Gateway(ScriptedBackend([], context_length=4096), max_tokens_cap=64), conversation(60))
    assert capped.budget == 4096 - 64


async def test_an_agent_task_too_long_for_the_window_fails_before_any_model_call() -> None:
    backend = ScriptedBackend([{"pattern": ".", "response": "never asked"}], context_length=2048)
    with pytest.raises(AgentRunError) as caught:
        await fit_agent_task(Gateway(backend), get_persona("tutor"), "word " * 5000)
    assert isinstance(caught.value.cause, ContextLengthExceeded)
    assert str(caught.value).startswith("context window exceeded: the agent's task with its instructions needs")
    assert backend.prompts == []
    report = await fit_agent_task(Gateway(backend), get_persona("tutor"), "Explain top-p")
    assert report["context_length"] == 2048 and report["tokens"] > AGENT_SCAFFOLD_TOKENS


class LockedCounterBackend(ScriptedBackend):
    """A scripted backend whose synchronous counter, like llama.cpp's, may wait on a model lock."""

    count_tokens_sync_blocks = True
    counted_on: set[int]

    def count_tokens_sync(self, text: str) -> int:
        import threading

        self.counted_on.add(threading.get_ident())
        return super().count_tokens_sync(text)


async def test_fitting_runs_inline_unless_the_counter_can_block() -> None:
    """The worker-thread hop is kept for a counter that can block the loop (embedded), and skipped
    for ones that never wait (scripted, the Ollama estimate), where it cost more than the counting."""
    import threading

    from agents.llm.backends.embedded import EmbeddedBackend

    assert EmbeddedBackend.count_tokens_sync_blocks is True
    assert Gateway(ScriptedBackend([], context_length=4096)).counting_blocks is False

    blocking = LockedCounterBackend([], context_length=4096)
    blocking.counted_on = set()
    fit = await fit_chat(Gateway(blocking), conversation(10))
    assert fit.messages and threading.get_ident() not in blocking.counted_on  # counted on a worker thread

    inline = LockedCounterBackend([], context_length=4096)
    inline.counted_on = set()
    inline.count_tokens_sync_blocks = False
    await fit_chat(Gateway(inline), conversation(10))
    assert inline.counted_on == {threading.get_ident()}  # counted on the loop's own thread
