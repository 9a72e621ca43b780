"""Backends and the context window: an oversized prompt is a typed ContextLengthExceeded with the
numbers, and a reply that would overflow is shortened to what is left (finish_reason "length")."""

from __future__ import annotations

import ollama
import pytest

from agents.llm import Gateway, GenerationOptions, InvalidRequest
from agents.llm.backends.embedded import EmbeddedBackend, completion_room
from agents.llm.backends.ollama_backend import map_error
from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.errors import ContextLengthExceeded
from agents.settings import Settings

LONG_ANSWER = " ".join(f"w{i}" for i in range(200))


def test_completion_room_clamps_the_reply_and_rejects_a_prompt_that_fills_the_window() -> None:
    assert completion_room(100, 4096, 512) == 512
    assert completion_room(3900, 4096, 512) == 196
    assert completion_room(4095, 4096, 512) == 1
    with pytest.raises(ContextLengthExceeded) as caught:
        completion_room(4464, 4096, 512, model="gemma3-270m")
    assert (caught.value.prompt_tokens, caught.value.context_length) == (4464, 4096)
    assert caught.value.message.startswith("the prompt needs 4464 tokens but the model's context window holds 4096")
    assert isinstance(caught.value, InvalidRequest) and caught.value.model == "gemma3-270m"


async def test_scripted_backend_with_a_window_behaves_like_a_real_model() -> None:
    backend = ScriptedBackend([{"pattern": ".", "response": LONG_ANSWER}], context_length=100)
    gateway = Gateway(backend)
    short = await gateway.chat("one two three four five six seven eight nine ten")
    assert short.finish_reason == "length" and short.usage.completion_tokens == 90
    with pytest.raises(ContextLengthExceeded) as caught:
        await gateway.chat("word " * 100)
    assert caught.value.prompt_tokens == 100 and caught.value.context_length == 100
    with pytest.raises(ContextLengthExceeded):
        async for _ in gateway.stream("word " * 150):
            pass
    assert (await gateway.model_info()).context_length == 100


@pytest.mark.parametrize(
    ("error", "status"),
    [("the input length exceeds the context length", 400), ("input exceeds context length", 500)],
)
def test_ollama_context_errors_become_context_length_exceeded(error: str, status: int) -> None:
    mapped = map_error(ollama.ResponseError(error, status), "llama3.2:3b", "http://127.0.0.1:11434")
    assert isinstance(mapped, ContextLengthExceeded) and mapped.code == "context_length_exceeded"
    assert error in mapped.message and "THINKROOM_NUM_CTX" in mapped.message


def test_other_ollama_400s_stay_invalid_requests() -> None:
    mapped = map_error(ollama.ResponseError("invalid format", 400), "llama3.2:3b", "http://127.0.0.1:11434")
    assert type(mapped) is InvalidRequest


@pytest.fixture(scope="module")
def small_window() -> Gateway:
    pytest.importorskip("llama_cpp", reason="the embedded extra is not installed")
    return Gateway(EmbeddedBackend(None, Settings().embedded_cache_dir, n_ctx=512))


@pytest.mark.embedded
async def test_embedded_prompt_over_the_window_is_a_typed_error_not_a_llama_failure(small_window: Gateway) -> None:
    text = "The sky is blue and the grass is green. " * 80
    with pytest.raises(ContextLengthExceeded) as caught:
        await small_window.chat(text, options=GenerationOptions(max_tokens=8))
    assert caught.value.context_length == 512 and caught.value.prompt_tokens > 512
    assert "Requested tokens" not in caught.value.message
    with pytest.raises(ContextLengthExceeded):
        async for _ in small_window.stream(text, options=GenerationOptions(max_tokens=8)):
            pass


@pytest.mark.embedded
async def test_embedded_reply_is_cut_to_what_the_window_has_left(small_window: Gateway) -> None:
    text = "one, two, three, four, five, six, seven, eight, nine, ten," * 24  # a fragment: continued raw
    prompt_tokens = (await small_window.chat(text, options=GenerationOptions(max_tokens=1))).usage.prompt_tokens
    room = 512 - prompt_tokens
    assert 0 < room < 200, prompt_tokens
    options = GenerationOptions(max_tokens=400, temperature=0.0, seed=1)
    result = await small_window.chat(text, options=options)
    assert result.usage.prompt_tokens == prompt_tokens
    assert result.finish_reason == "length" and 0 < result.usage.completion_tokens <= room
    chunks = [c async for c in small_window.stream(text, options=options)]
    assert chunks[-1].finish_reason == "length"
