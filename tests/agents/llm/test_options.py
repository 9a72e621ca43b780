"""Every gateway option reaches each backend under its native name."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from agents.llm import GenerationOptions
from agents.llm.backends.embedded import DEFAULT_MAX_TOKENS, to_llama_kwargs
from agents.llm.backends.ollama_backend import to_ollama_options
from agents.llm.backends.scripted import apply_limits

ALL = GenerationOptions(
    temperature=0.5,
    top_p=0.9,
    top_k=20,
    max_tokens=64,
    stop=["END"],
    seed=3,
    presence_penalty=0.4,
    frequency_penalty=0.3,
    repeat_penalty=1.2,
    num_ctx=4096,
)


def test_ollama_names() -> None:
    assert to_ollama_options(ALL, 8192) == {
        "temperature": 0.5,
        "top_p": 0.9,
        "top_k": 20,
        "num_predict": 64,
        "stop": ["END"],
        "seed": 3,
        "presence_penalty": 0.4,
        "frequency_penalty": 0.3,
        "repeat_penalty": 1.2,
        "num_ctx": 4096,
    }


def test_ollama_always_sends_num_ctx() -> None:
    assert to_ollama_options(GenerationOptions(), 8192) == {"num_ctx": 8192}


def test_llama_cpp_names() -> None:
    assert to_llama_kwargs(ALL) == {
        "temperature": 0.5,
        "top_p": 0.9,
        "top_k": 20,
        "max_tokens": 64,
        "stop": ["END"],
        "seed": 3,
        "presence_penalty": 0.4,
        "frequency_penalty": 0.3,
        "repeat_penalty": 1.2,
    }


def test_llama_cpp_gets_a_useful_default_length() -> None:
    assert to_llama_kwargs(GenerationOptions()) == {"max_tokens": DEFAULT_MAX_TOKENS, "repeat_penalty": 1.1}


def test_scripted_honours_stop_and_max_tokens() -> None:
    assert apply_limits("one two END three", GenerationOptions(stop=["END"])) == ("one two ", "stop")
    assert apply_limits("one two three four", GenerationOptions(max_tokens=2)) == ("one two", "length")


def test_merge_prefers_the_override() -> None:
    base = GenerationOptions(temperature=0.7, top_p=0.9)
    assert base.merged(GenerationOptions(temperature=0.0)).model_dump(exclude_none=True) == {
        "temperature": 0.0,
        "top_p": 0.9,
    }


@pytest.mark.parametrize("bad", [{"top_p": 0}, {"top_p": 1.5}, {"temperature": -1}, {"max_tokens": 0}, {"typo": 1}])
def test_bad_options_are_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        GenerationOptions.model_validate(bad)


def test_rendered_control_tokens_are_dropped_from_text() -> None:
    from agents.llm.backends.embedded import strip_control_tokens

    assert strip_control_tokens("Paris<start_of_image> is<end_of_turn>") == "Paris is"
    assert strip_control_tokens("a <b> tag stays") == "a <b> tag stays"
