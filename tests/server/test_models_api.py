"""GET /api/models, POST /api/models/pull (SSE), /api/agents and /api/workflows, against a fake Ollama."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pytest_httpserver import HTTPServer

from agents.personas import PERSONAS
from workflows.registry import WORKFLOWS

from .helpers import free_port, running_server
from .openai.fake_ollama import ndjson, read_sse, serve_models

PULL_LINES = [
    {"status": "pulling manifest"},
    {"status": "pulling 74701a8c35f6", "digest": "sha256:74701a8c35f6", "total": 1000, "completed": 0},
    {"status": "pulling 74701a8c35f6", "digest": "sha256:74701a8c35f6", "total": 1000, "completed": 500},
    {"status": "pulling 74701a8c35f6", "digest": "sha256:74701a8c35f6", "total": 1000, "completed": 1000},
    {"status": "verifying sha256 digest"},
    {"status": "writing manifest"},
    {"status": "success"},
]


@pytest.fixture(scope="module")
def ollama_url(make_httpserver: HTTPServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("models-api")
    # /health asks the fake Ollama about the default model while the server starts; a handler another
    # module left on the shared fake would answer, and the backend would cache that model's capabilities
    make_httpserver.clear()
    with running_server(tmp, THINKROOM_BACKEND="ollama", OLLAMA_HOST=make_httpserver.url_for("/").rstrip("/")) as url:
        yield url


def pull(url: str, name: str) -> tuple[int, list[tuple[str, str]] | dict[str, object]]:
    with httpx.stream("POST", f"{url}/api/models/pull", json={"name": name}, timeout=30) as response:
        if response.headers["content-type"].startswith("text/event-stream"):
            return response.status_code, list(read_sse(response))
        response.read()
        return response.status_code, response.json()


def test_models_lists_capabilities(ollama_url: str, httpserver: HTTPServer) -> None:
    serve_models(httpserver, {"llama3.2:3b": ["completion", "tools"], "gemma3:270m": ["completion"]})
    body = httpx.get(f"{ollama_url}/api/models").json()
    assert body["backend"] == "ollama" and body["default_model"] == "llama3.2:3b"
    models = {m["name"]: m for m in body["models"]}
    assert set(models) == {"llama3.2:3b", "gemma3:270m"}
    assert models["llama3.2:3b"]["capabilities"] == ["completion", "tools"]
    assert models["llama3.2:3b"]["supports_tools"] is True and models["gemma3:270m"]["supports_tools"] is False
    assert models["llama3.2:3b"]["context_length"] == 131072
    assert models["gemma3:270m"]["family"] == "llama" and models["gemma3:270m"]["size_bytes"] >= 2_000_000_000


def test_pull_streams_progress_then_done(ollama_url: str, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/pull", method="POST").respond_with_data(
        ndjson(PULL_LINES), content_type="application/x-ndjson"
    )
    status, events = pull(ollama_url, "qwen3:0.6b")
    assert status == 200 and isinstance(events, list)
    kinds = [kind for kind, _ in events]
    assert kinds == ["progress"] * len(PULL_LINES) + ["done"]
    progress = [json.loads(data) for kind, data in events if kind == "progress"]
    assert progress[2] == {"status": "pulling 74701a8c35f6", "completed": 500, "total": 1000}
    assert progress[0] == {"status": "pulling manifest", "completed": None, "total": None}
    assert json.loads(events[-1][1]) == {"model": "qwen3:0.6b", "status": "success"}
    assert json.loads(httpserver.log[-1][0].get_data())["model"] == "qwen3:0.6b"


def test_pull_failure_mid_stream_is_an_error_event(ollama_url: str, httpserver: HTTPServer) -> None:
    lines = [*PULL_LINES[:2], {"error": "max retries exceeded: connection reset"}]
    httpserver.expect_request("/api/pull", method="POST").respond_with_data(
        ndjson(lines), content_type="application/x-ndjson"
    )
    status, events = pull(ollama_url, "qwen3:0.6b")
    assert status == 200 and isinstance(events, list)
    assert [kind for kind, _ in events] == ["progress", "progress", "error"]
    error = json.loads(events[-1][1])
    assert error["code"] == "backend_error" and "max retries exceeded" in error["message"]


def test_pull_refused_up_front_is_a_json_error(ollama_url: str, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/pull", method="POST").respond_with_json(
        {"error": "pull model manifest: file does not exist"}, status=500
    )
    status, body = pull(ollama_url, "no-such-model")
    assert status == 502 and isinstance(body, dict)
    assert body["error"]["code"] == "backend_error"  # type: ignore[index]
    assert "file does not exist" in body["error"]["message"]  # type: ignore[index]


def test_pull_validates_its_body(ollama_url: str) -> None:
    response = httpx.post(f"{ollama_url}/api/models/pull", json={"model": "x"})
    assert response.status_code == 422 and "name" in response.json()["error"]["message"]


def test_models_when_ollama_is_down_is_503(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    with running_server(tmp_path, THINKROOM_BACKEND="ollama", OLLAMA_HOST=closed) as url:
        response = httpx.get(f"{url}/api/models")
        assert response.status_code == 503 and response.json()["error"]["code"] == "backend_unavailable"
        status, body = pull(url, "llama3.2:3b")
        assert status == 503 and isinstance(body, dict)


def test_scripted_backend_cannot_pull(scripted_client: TestClient) -> None:
    response = scripted_client.post("/api/models/pull", json={"name": "x"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_request"


def test_agents_catalog(scripted_client: TestClient) -> None:
    agents = {a["name"]: a for a in scripted_client.get("/api/agents").json()}
    assert set(agents) == set(PERSONAS) == {"tutor", "prompt-engineer", "coder", "evaluator"}
    assert agents["tutor"]["framework"] == "crewai" and agents["coder"]["framework"] == "autogen"
    assert agents["tutor"]["tools"] == ["all"] and agents["coder"]["uses_sandbox"] is True
    assert all(a["role"] and a["goal"] for a in agents.values())


def test_workflows_catalog(scripted_client: TestClient) -> None:
    workflows = {w["name"]: w for w in scripted_client.get("/api/workflows").json()}
    assert set(workflows) == set(WORKFLOWS)
    assert workflows["chat"]["description"]
    for name, spec in WORKFLOWS.items():
        assert workflows[name]["strategies"] == list(spec.strategies)
