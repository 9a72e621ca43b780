"""/health on the Ollama backend says whether the default model is there yet (docker compose
starts thinkroom while `ollama-pull` may still be downloading it), and a chat with the missing
model is the usual 424 naming `ollama pull`."""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer

from agents.llm.backends.ollama_backend import OllamaBackend
from agents.llm.gateway import Gateway
from tests.ollama_wire import MODEL

from .conftest import make_client
from .helpers import free_port
from .openai.fake_ollama import serve_models


def ollama_gateway(host: str) -> Gateway:
    return Gateway(OllamaBackend(host, default_model=MODEL, timeout_s=2, connect_timeout_s=1, attempts=1))


def test_health_says_the_model_is_not_pulled_yet_then_ready(tmp_path: Path, httpserver: HTTPServer) -> None:
    serve_models(httpserver, {"gemma3:270m": ["completion"]})
    httpserver.expect_request("/api/chat", method="POST").respond_with_json(
        {"error": f"model '{MODEL}' not found"}, status=404  # what Ollama answers for a model it lacks
    )
    with make_client(tmp_path, ollama_gateway(httpserver.url_for("/").rstrip("/"))) as client:
        body = client.get("/health").json()
        assert body["status"] == "ok" and body["model"] == MODEL
        assert body["model_ready"] is False
        assert f"ollama pull {MODEL}" in body["model_status"]
        assert "docker compose logs -f ollama-pull" in body["model_status"]
        message = {"role": "user", "content": "hi"}
        chat = client.post("/v1/chat/completions", json={"model": MODEL, "messages": [message]})
        assert chat.status_code == 424 and f"ollama pull {MODEL}" in chat.text

        httpserver.clear()
        serve_models(httpserver, {MODEL: ["completion"]})
        client.app.state.model_status = None  # type: ignore[attr-defined]  # the 5 s cache
        body = client.get("/health").json()
        assert body["model_ready"] is True and body["model_status"] == "available"


def test_health_answers_while_ollama_is_down(tmp_path: Path) -> None:
    with make_client(tmp_path, ollama_gateway(f"http://127.0.0.1:{free_port()}")) as client:
        response = client.get("/health")
        assert response.status_code == 200
        assert response.json()["model_ready"] is None
        assert response.json()["model_status"].startswith("cannot check the model yet: ")


def test_other_backends_report_no_model_check(scripted_client) -> None:  # type: ignore[no-untyped-def]
    body = scripted_client.get("/health").json()
    assert body["backend"] == "scripted" and "model_ready" not in body
