"""Backend faults through the OpenAI API: no Ollama (503), a missing model (424) and a stream that breaks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from openai import OpenAI
from pytest_httpserver import HTTPServer

from ..helpers import free_port, running_server
from .fake_ollama import read_sse, serve_chat, serve_models

HELLO = [{"role": "user", "content": "Say hello"}]


@pytest.fixture(scope="module")
def ollama_url(make_httpserver: HTTPServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """thinkroom serve on THINKROOM_BACKEND=ollama, talking to the shared pytest-httpserver."""
    tmp = tmp_path_factory.mktemp("openai-ollama")
    with running_server(tmp, THINKROOM_BACKEND="ollama", OLLAMA_HOST=make_httpserver.url_for("/").rstrip("/")) as url:
        yield url


def sdk(url: str) -> OpenAI:
    return OpenAI(base_url=f"{url}/v1", api_key="x", max_retries=0, timeout=60)


def test_no_ollama_is_503_in_openai_shape(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    with running_server(tmp_path, THINKROOM_BACKEND="ollama", OLLAMA_HOST=closed) as url:
        client = sdk(url)
        for stream in (False, True):
            with pytest.raises(openai.InternalServerError) as caught:
                client.chat.completions.create(model="llama3.2:3b", messages=HELLO, stream=stream)  # type: ignore[call-overload]
            assert caught.value.status_code == 503
            assert caught.value.code == "backend_unavailable" and caught.value.type == "server_error"
            assert "cannot reach Ollama" in caught.value.message
        with pytest.raises(openai.InternalServerError) as listing:
            client.models.list()
        assert listing.value.status_code == 503
        assert httpx.get(f"{url}/health").status_code == 200


def test_backend_models_are_listed_and_chat_directly(ollama_url: str, httpserver: HTTPServer) -> None:
    serve_models(httpserver, {"qwen3:0.6b": ["completion", "tools"]})
    serve_chat(httpserver, ["Hel", "lo ", "there"])
    client = sdk(ollama_url)
    ids = [m.id for m in client.models.list().data]
    assert "qwen3:0.6b" in ids and "tutor" in ids and "llama3.2:3b" in ids
    completion = client.chat.completions.create(model="qwen3:0.6b", messages=HELLO, temperature=0.1, seed=3)  # type: ignore[arg-type]
    assert completion.choices[0].message.content == "Hello there"
    assert (
        completion.usage is not None and completion.usage.prompt_tokens == 7 and completion.usage.completion_tokens == 3
    )
    sent = json.loads(httpserver.log[-1][0].get_data())
    assert sent["options"]["temperature"] == 0.1 and sent["options"]["seed"] == 3
    streamed = client.chat.completions.create(model="qwen3:0.6b", messages=HELLO, stream=True, max_tokens=5)  # type: ignore[arg-type]
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == "Hello there"
    assert json.loads(httpserver.log[-1][0].get_data())["options"]["num_predict"] == 5


def test_missing_model_is_424_with_the_pull_hint(ollama_url: str, httpserver: HTTPServer) -> None:
    serve_chat(httpserver, [], status=404)
    client = sdk(ollama_url)
    for stream in (False, True):
        with pytest.raises(openai.APIStatusError) as caught:
            client.chat.completions.create(model="llama3.2:3b", messages=HELLO, stream=stream)  # type: ignore[call-overload]
        assert caught.value.status_code == 424
        assert caught.value.code == "model_not_found"
        assert "ollama pull llama3.2:3b" in caught.value.message


def test_error_mid_stream_ends_the_stream_with_an_error_payload(ollama_url: str, httpserver: HTTPServer) -> None:
    serve_chat(httpserver, ["Hel", "lo ", "the", "re"], error_after=2)
    client = sdk(ollama_url)
    received: list[str] = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in client.chat.completions.create(model="llama3.2:3b", messages=HELLO, stream=True):  # type: ignore[arg-type]
            if chunk.choices:
                received.append(chunk.choices[0].delta.content or "")
    assert "".join(received) == "Hello "
    assert "unexpectedly stopped" in caught.value.message
    body = {"model": "llama3.2:3b", "messages": HELLO, "stream": True}
    with httpx.stream("POST", f"{ollama_url}/v1/chat/completions", json=body, timeout=30) as response:
        assert response.status_code == 200
        events = [data for _, data in read_sse(response)]
    assert "[DONE]" not in events
    error = json.loads(events[-1])["error"]
    assert error["code"] == "backend_error" and error["type"] == "server_error" and "Traceback" not in error["message"]
    httpserver.clear()
    serve_chat(httpserver, ["still ", "up"])
    assert httpx.get(f"{ollama_url}/health").status_code == 200
    again = client.chat.completions.create(model="llama3.2:3b", messages=HELLO)  # type: ignore[arg-type]
    assert again.choices[0].message.content == "still up"
