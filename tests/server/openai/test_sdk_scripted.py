"""The official `openai` SDK against `thinkroom serve` on the deterministic scripted backend."""

from __future__ import annotations

import httpx
import openai
import pytest
from openai import OpenAI

from agents.personas import PERSONAS
from workflows.registry import WORKFLOWS

FRANCE = [{"role": "user", "content": "What is the capital of France?"}]
ANSWER = "The capital of France is Paris, a city on the Seine."


def test_models_list_has_agents_workflow_strategies_and_backend_models(client: OpenAI) -> None:
    models = client.models.list()
    ids = [m.id for m in models.data]
    assert set(PERSONAS) <= set(ids)
    for spec in WORKFLOWS.values():
        for strategy in spec.strategies:
            assert f"{spec.name}:{strategy}" in ids
    assert "scripted" in ids
    assert all(m.object == "model" and m.owned_by == "thinkroom" and m.created > 0 for m in models.data)
    assert client.models.retrieve("evaluator").id == "evaluator"


def test_non_streaming_completion_with_usage(client: OpenAI) -> None:
    completion = client.chat.completions.create(model="scripted", messages=FRANCE)  # type: ignore[arg-type]
    assert completion.object == "chat.completion" and completion.model == "scripted"
    choice = completion.choices[0]
    assert choice.message.role == "assistant" and choice.message.content == ANSWER
    assert choice.finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.completion_tokens == len(ANSWER.split())
    assert completion.usage.prompt_tokens == len(FRANCE[0]["content"].split())
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens


def test_stream_chunks_join_to_the_non_stream_text(client: OpenAI) -> None:
    stream = client.chat.completions.create(model="scripted", messages=FRANCE, stream=True)  # type: ignore[arg-type]
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == ANSWER
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 3  # really streamed
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.usage is None for c in chunks)


def test_include_usage_adds_a_final_usage_chunk(client: OpenAI) -> None:
    stream = client.chat.completions.create(
        model="scripted",
        messages=FRANCE,  # type: ignore[arg-type]
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None
    assert last.usage.completion_tokens == len(ANSWER.split())
    assert last.usage.total_tokens == last.usage.prompt_tokens + last.usage.completion_tokens
    assert all(c.usage is None for c in chunks[:-1])


def test_options_reach_the_model(client: OpenAI) -> None:
    limited = client.chat.completions.create(model="scripted", messages=FRANCE, max_tokens=3)  # type: ignore[arg-type]
    assert limited.choices[0].message.content == "The capital of"
    assert limited.choices[0].finish_reason == "length"
    newer = client.chat.completions.create(
        model="scripted",
        messages=FRANCE,  # type: ignore[arg-type]
        max_completion_tokens=2,
    )
    assert newer.choices[0].message.content == "The capital"
    stopped = client.chat.completions.create(
        model="scripted",
        messages=FRANCE,  # type: ignore[arg-type]
        stop=", a city",
        temperature=0.2,
        top_p=0.9,
        seed=7,
        presence_penalty=0.5,
        frequency_penalty=0.5,
    )
    assert stopped.choices[0].message.content == "The capital of France is Paris"
    streamed = client.chat.completions.create(
        model="scripted",
        messages=FRANCE,  # type: ignore[arg-type]
        stop=["Paris"],
        stream=True,
    )
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == "The capital of France is "


def test_system_developer_and_content_parts_are_accepted(client: OpenAI) -> None:
    completion = client.chat.completions.create(
        model="scripted",
        messages=[
            {"role": "developer", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "capital of France?"}]},
        ],
    )
    assert completion.choices[0].message.content == ANSWER


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("evaluator", "SCORE: 9\nREASONS:\n- the sum is correct\n- clearly stated\nAPPROVE"),
    ],
)
def test_persona_models_answer_stream_and_not(client: OpenAI, persona: str, expected: str) -> None:
    messages = [{"role": "user", "content": "Grade this answer: 2 + 2 = 4"}]
    completion = client.chat.completions.create(model=persona, messages=messages)  # type: ignore[arg-type]
    assert completion.model == persona
    assert completion.choices[0].message.content == expected
    assert completion.usage is not None and completion.usage.completion_tokens > 0
    stream = client.chat.completions.create(
        model=persona,
        messages=messages,  # type: ignore[arg-type]
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == expected
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_unknown_model_is_404_in_openai_shape(client: OpenAI, scripted_url: str) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-nope", messages=FRANCE)  # type: ignore[arg-type]
    assert caught.value.code == "model_not_found" and caught.value.param == "model"
    assert "gpt-nope" in caught.value.message
    raw = httpx.post(f"{scripted_url}/v1/chat/completions", json={"model": "gpt-nope", "messages": FRANCE})
    assert raw.status_code == 404
    assert set(raw.json()) == {"error"} and set(raw.json()["error"]) == {"message", "type", "param", "code"}
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-nope")


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"temperature": 3.5}, "temperature"),
        ({"top_p": 0}, "top_p"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"presence_penalty": -9}, "presence_penalty"),
        ({"n": 2}, "n"),
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "wizard", "content": "hi"}]}, "messages[0].role"),
        ({"model": ""}, "model"),
    ],
)
def test_bad_request_is_400_naming_the_param(client: OpenAI, extra: dict[str, object], param: str) -> None:
    kwargs: dict[str, object] = {"model": "scripted", "messages": FRANCE, **extra}
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(**kwargs)  # type: ignore[call-overload]
    assert caught.value.status_code == 400
    assert caught.value.param == param, caught.value.body
    assert caught.value.type == "invalid_request_error"


def test_image_content_is_a_clear_400(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model="scripted",
            messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:,x"}}]}],
        )
    assert caught.value.param == "messages[0].content[0]"


def test_errors_elsewhere_keep_the_project_shape(scripted_url: str) -> None:
    response = httpx.get(f"{scripted_url}/api/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    v1 = httpx.get(f"{scripted_url}/v1/no-such-thing")
    assert v1.status_code == 404 and v1.json()["error"]["type"] == "invalid_request_error"
    wrong_method = httpx.get(f"{scripted_url}/v1/chat/completions")
    assert wrong_method.status_code == 405 and wrong_method.json()["error"]["code"] == "method_not_allowed"
