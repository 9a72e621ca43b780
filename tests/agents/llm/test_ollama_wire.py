"""The Ollama backend against a local server replaying Ollama's documented wire format."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from agents.llm import BackendError, BackendTimeout, BackendUnavailable, Gateway, GenerationOptions, ModelNotFound
from agents.llm.backends.ollama_backend import OllamaBackend
from tests.ollama_wire import MODEL, chat_delta, chat_final, ndjson


def gateway_for(server: HTTPServer, **kwargs: Any) -> Gateway:
    backend = OllamaBackend(server.url_for("").rstrip("/"), default_model=MODEL, **kwargs)
    return Gateway(backend)


async def test_chat_maps_text_usage_and_options(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/chat", method="POST").respond_with_json(chat_final("Paris is the capital."))
    gateway = gateway_for(httpserver, num_ctx=8192)
    options = GenerationOptions(temperature=0.2, max_tokens=40, seed=7, stop=["\n"], top_k=5, repeat_penalty=1.1)
    result = await gateway.chat("Capital of France?", options=options)
    assert result.text == "Paris is the capital."
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (26, 3)
    assert result.usage.backend == "ollama" and result.usage.model == MODEL and result.usage.wall_time_s > 0
    sent = json.loads(httpserver.log[0][0].get_data())
    assert sent["stream"] is False
    assert sent["options"] == {
        "temperature": 0.2,
        "num_predict": 40,
        "seed": 7,
        "stop": ["\n"],
        "top_k": 5,
        "repeat_penalty": 1.1,
        "num_ctx": 8192,
    }
    assert gateway.ledger.records[-1].prompt_tokens == 26


async def test_structured_output_sends_schema_as_format(httpserver: HTTPServer) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    httpserver.expect_request("/api/chat").respond_with_json(chat_final('{"city": "Paris"}'))
    parsed = await gateway_for(httpserver).structured("Capital of France as JSON", schema)
    assert parsed == {"city": "Paris"}
    assert json.loads(httpserver.log[0][0].get_data())["format"] == schema


async def test_stream_joins_chunks_and_reports_usage(httpserver: HTTPServer) -> None:
    body = ndjson(chat_delta("Par"), chat_delta("is"), chat_delta("."), chat_final())
    httpserver.expect_request("/api/chat").respond_with_data(body, content_type="application/x-ndjson")
    chunks = [c async for c in gateway_for(httpserver).stream("Capital of France?")]
    assert "".join(c.text for c in chunks) == "Paris."
    assert chunks[-1].done and chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 3


async def test_missing_model_is_model_not_found_with_pull_hint(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/chat").respond_with_json({"error": f"model '{MODEL}' not found"}, status=404)
    with pytest.raises(ModelNotFound, match=f"ollama pull {MODEL}"):
        await gateway_for(httpserver).chat("hi")


async def test_error_in_the_middle_of_a_stream_is_backend_error(httpserver: HTTPServer) -> None:
    body = ndjson(chat_delta("Par"), {"error": "an error was encountered while running the model: GGML_ASSERT"})
    httpserver.expect_request("/api/chat").respond_with_data(body, content_type="application/x-ndjson")
    received = []
    with pytest.raises(BackendError, match="mid-response"):
        async for chunk in gateway_for(httpserver).stream("hi"):
            received.append(chunk.text)
    assert received == ["Par"]


async def test_connection_refused_is_backend_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = Gateway(OllamaBackend(f"http://127.0.0.1:{port}", default_model=MODEL))
    with pytest.raises(BackendUnavailable, match="cannot reach Ollama"):
        await gateway.chat("hi")


async def test_slow_model_times_out(httpserver: HTTPServer) -> None:
    def slow(_: Request) -> Response:
        time.sleep(1.5)
        return Response(json.dumps(chat_final("late")), content_type="application/json")

    httpserver.expect_request("/api/chat").respond_with_handler(slow)
    with pytest.raises(BackendTimeout):
        await gateway_for(httpserver, timeout_s=0.3).chat("hi")


async def test_capabilities_come_from_api_show(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/tags").respond_with_json(
        {
            "models": [
                {
                    "name": MODEL,
                    "model": MODEL,
                    "modified_at": "2026-11-01T00:00:00Z",
                    "size": 2019393189,
                    "digest": "a80c4f17acd5",
                    "details": {"format": "gguf", "family": "llama"},
                }
            ]
        }
    )
    httpserver.expect_request("/api/show").respond_with_json(
        {
            "modelfile": "",
            "parameters": "",
            "template": "",
            "details": {"family": "llama", "format": "gguf"},
            "model_info": {"llama.context_length": 131072},
            "capabilities": ["completion", "tools"],
        }
    )
    models = await gateway_for(httpserver).list_models()
    assert [(m.name, m.capabilities, m.context_length, m.size_bytes) for m in models] == [
        (MODEL, ["completion", "tools"], 131072, 2019393189)
    ]
    assert models[0].supports_tools


async def test_next_token_uses_logprobs(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/generate").respond_with_json(
        {
            "model": MODEL,
            "created_at": "2026-11-27T10:00:00Z",
            "response": " Paris",
            "done": True,
            "prompt_eval_count": 5,
            "eval_count": 1,
            "logprobs": [
                {
                    "token": " Paris",
                    "logprob": -0.2,
                    "top_logprobs": [{"token": " the", "logprob": -2.0}, {"token": " Paris", "logprob": -0.2}],
                }
            ],
        }
    )
    tokens = await gateway_for(httpserver).next_token("The capital of France is", top_k=2)
    assert [t.token for t in tokens] == [" Paris", " the"]
    assert sum(t.prob for t in tokens) <= 1.0
    sent = json.loads(httpserver.log[0][0].get_data())
    assert sent["raw"] is True and sent["logprobs"] is True and sent["top_logprobs"] == 2


async def test_pull_streams_progress(httpserver: HTTPServer) -> None:
    body = ndjson(
        {"status": "pulling manifest"},
        {"status": "pulling 6a0746a1ec1a", "digest": "sha256:6a07", "total": 100, "completed": 40},
        {"status": "pulling 6a0746a1ec1a", "digest": "sha256:6a07", "total": 100, "completed": 100},
        {"status": "success"},
    )
    httpserver.expect_request("/api/pull").respond_with_data(body, content_type="application/x-ndjson")
    steps = [s async for s in gateway_for(httpserver).pull(MODEL)]
    assert [s.status for s in steps][-1] == "success"
    assert steps[2].completed == 100 and steps[2].total == 100


async def test_transient_connection_failures_are_retried_for_non_streaming_calls(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/chat").respond_with_json(chat_final("after a retry"))
    backend = OllamaBackend(httpserver.url_for("").rstrip("/"), default_model=MODEL)
    real_chat = backend.client.chat
    calls = {"n": 0}

    async def flaky_chat(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        return await real_chat(*args, **kwargs)

    backend.client.chat = flaky_chat  # type: ignore[method-assign]
    assert (await Gateway(backend).chat("hi")).text == "after a retry"
    assert calls["n"] == 2


async def test_refused_connection_gives_up_after_the_configured_attempts() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = OllamaBackend(f"http://127.0.0.1:{port}", default_model=MODEL, attempts=2)
    started = time.monotonic()
    with pytest.raises(BackendUnavailable):
        await Gateway(backend).list_models()
    assert time.monotonic() - started < 5
