"""The context window over HTTP, on Ollama (a pytest-httpserver double) with THINKROOM_NUM_CTX=2048.

A long conversation is trimmed before it reaches the model; a single message that cannot fit
is 400 `context_length_exceeded` in OpenAI's shape (personas, workflows, and Ollama's own
context error for a direct model chat), and a run on the runs API ends `error` saying so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import openai
import pytest
from openai import OpenAI
from openai.types.chat import ChatCompletionMessageParam
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ..helpers import running_server
from .fake_ollama import chat_part, serve_chat, serve_models

MODEL = "llama3.2:3b"
HUGE: list[ChatCompletionMessageParam] = [{"role": "user", "content": "word " * 20_000}]


@pytest.fixture(scope="module")
def ollama_url(make_httpserver: HTTPServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("openai-context")
    with running_server(
        tmp, THINKROOM_BACKEND="ollama", OLLAMA_HOST=make_httpserver.url_for("/").rstrip("/"), THINKROOM_NUM_CTX="2048"
    ) as url:
        yield url


def sdk(url: str) -> OpenAI:
    return OpenAI(base_url=f"{url}/v1", api_key="x", max_retries=0, timeout=120)


def conversation(turns: int) -> list[dict[str, str]]:
    messages: list[dict[str, str]] = []
    for i in range(turns):
        messages.append({"role": "user", "content": f"Question {i}: " + "tell me more about sampling " * 4})
        messages.append({"role": "assistant", "content": f"Answer {i}: " + "here is more about sampling " * 4})
    return [*messages, {"role": "user", "content": "Explain top-p with an example"}]


@pytest.mark.parametrize("model", ["tutor", "chat"])
@pytest.mark.parametrize("stream", [False, True])
def test_a_message_over_the_window_is_400_context_length_exceeded(
    ollama_url: str, httpserver: HTTPServer, model: str, stream: bool
) -> None:
    serve_models(httpserver, {MODEL: ["completion"]})
    serve_chat(httpserver, ["never sent"])
    with pytest.raises(openai.BadRequestError) as caught:
        sdk(ollama_url).chat.completions.create(model=model, messages=HUGE, stream=stream)  # type: ignore[call-overload]
    assert caught.value.status_code == 400
    assert caught.value.code == "context_length_exceeded" and caught.value.type == "invalid_request_error"
    assert "context window holds 2048" in caught.value.message
    assert not [r for r, _ in httpserver.log if r.path == "/api/chat"]  # refused before any model call


def test_ollamas_own_context_error_is_400_context_length_exceeded(ollama_url: str, httpserver: HTTPServer) -> None:
    def chat(request: Request) -> Response:
        return Response(json.dumps({"error": "the input length exceeds the context length"}), status=400)

    httpserver.expect_request("/api/chat", method="POST").respond_with_handler(chat)
    for stream in (False, True):
        with pytest.raises(openai.BadRequestError) as caught:
            sdk(ollama_url).chat.completions.create(model=MODEL, messages=HUGE, stream=stream)  # type: ignore[call-overload]
        assert caught.value.code == "context_length_exceeded"
        assert "the input length exceeds the context length" in caught.value.message


def test_sixty_turns_reach_ollama_trimmed_to_the_window(ollama_url: str, httpserver: HTTPServer) -> None:
    serve_models(httpserver, {MODEL: ["completion"]})
    sent: list[dict[str, object]] = []

    def chat(request: Request) -> Response:
        body = request.get_json()
        sent.append(body)
        lines = [chat_part(MODEL, "Top-p keeps the nucleus."), chat_part(MODEL, "", done=True)]
        return Response("".join(json.dumps(line) + "\n" for line in lines), content_type="application/x-ndjson")

    httpserver.expect_request("/api/chat", method="POST").respond_with_handler(chat)
    completion = sdk(ollama_url).chat.completions.create(model="chat", messages=conversation(60))  # type: ignore[arg-type]
    assert completion.choices[0].message.content == "Top-p keeps the nucleus."
    [body] = sent
    messages = body["messages"]
    assert isinstance(messages, list) and len(messages) < 121
    assert messages[0]["role"] == "system" and "earlier turns of this conversation omitted" in messages[0]["content"]
    assert messages[1]["content"].startswith("Question ") and messages[-1]["content"] == "Explain top-p with an example"
    chars = sum(len(m["content"]) for m in messages)
    assert chars / 4 <= 2048 - 512  # the backend's 4-characters-per-token estimate, minus the reply's reserve


def test_a_run_over_the_window_ends_error_with_the_message(ollama_url: str, httpserver: HTTPServer) -> None:
    serve_models(httpserver, {MODEL: ["completion"]})
    thread = httpx.post(f"{ollama_url}/threads", json={}).json()["thread_id"]
    response = httpx.post(
        f"{ollama_url}/threads/{thread}/runs/wait",
        json={"assistant_id": "chat", "input": {"messages": HUGE, "agent": "tutor"}},
        timeout=120,
    )
    error = response.json()["__error__"]
    assert error["code"] == "context_length_exceeded" and "context window holds 2048" in error["message"]
    [run] = httpx.get(f"{ollama_url}/threads/{thread}/runs").json()
    assert run["status"] == "error" and run["error"]["code"] == "context_length_exceeded"
    assert httpx.get(f"{ollama_url}/threads/{thread}").json()["status"] == "error"


@pytest.mark.embedded
def test_embedded_model_over_its_window_is_400_not_a_llama_failure(tmp_path_factory: pytest.TempPathFactory) -> None:
    pytest.importorskip("llama_cpp")
    with running_server(tmp_path_factory.mktemp("openai-embedded"), THINKROOM_BACKEND="embedded") as url:
        for model, stream in (("gemma3-270m", False), ("gemma3-270m", True), ("tutor", False)):
            with pytest.raises(openai.BadRequestError) as caught:
                sdk(url).chat.completions.create(model=model, messages=HUGE, stream=stream)  # type: ignore[call-overload]
            assert caught.value.code == "context_length_exceeded", model
            assert "context window holds 4096" in caught.value.message
            assert "Requested tokens" not in caught.value.message
