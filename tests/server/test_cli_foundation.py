"""The CLI as a user runs it: serve, ask, models, and configuration errors."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer

from .helpers import run_cli, running_server


def test_serve_answers_health_on_the_embedded_backend_without_ollama(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    with running_server(tmp_path) as url:
        health = httpx.get(f"{url}/health").json()
        docs = httpx.get(f"{url}/docs")
    assert health["status"] == "ok"
    assert health["backend"] == "embedded"
    assert health["model"] == "gemma3-270m"
    assert "no Ollama answered" in health["backend_reason"]
    assert health["version"]
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_serve_uses_ollama_when_it_answers(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/version").respond_with_json({"version": "0.12.11"})
    with running_server(tmp_path, OLLAMA_HOST=httpserver.url_for("").rstrip("/")) as url:
        health = httpx.get(f"{url}/health").json()
    assert health["backend"] == "ollama" and health["model"] == "llama3.2:3b"


def test_bad_setting_stops_start_up_naming_it() -> None:
    result = run_cli("serve", THINKROOM_MAX_WORKERS="many", timeout=60)
    assert result.returncode == 2
    assert "THINKROOM_MAX_WORKERS" in result.stderr


def test_ask_streams_the_scripted_answer(tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([{"pattern": "France", "response": "Paris is the capital of France."}]))
    result = run_cli(
        "ask",
        "What is the capital of France?",
        THINKROOM_BACKEND="scripted",
        THINKROOM_SCRIPTED_RULES=str(rules),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Paris is the capital of France."
    assert "scripted/scripted: 6 prompt + 6 completion tokens" in result.stderr


def test_ask_streams_real_text_from_the_embedded_model() -> None:
    pytest.importorskip("llama_cpp")
    result = run_cli(
        "ask", "The capital of France is", "--temperature", "0", "--max-tokens", "12", THINKROOM_BACKEND="embedded"
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.split()) >= 3
    assert "embedded/gemma3-270m" in result.stderr


def test_ask_reports_an_unreachable_ollama_cleanly() -> None:
    result = run_cli("ask", "hi", THINKROOM_BACKEND="ollama", timeout=60)
    assert result.returncode == 1
    assert "backend_unavailable" in result.stderr and "Traceback" not in result.stderr


def test_models_list_and_pull_against_ollama(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/tags").respond_with_json(
        {"models": [{"name": "llama3.2:3b", "model": "llama3.2:3b", "size": 2019393189, "details": {}}]}
    )
    httpserver.expect_request("/api/show").respond_with_json(
        {"capabilities": ["completion", "tools"], "model_info": {}}
    )
    pull = "".join(
        json.dumps(p) + "\n"
        for p in [
            {"status": "pulling manifest"},
            {"status": "pulling 6a07", "digest": "sha256:6a07", "total": 1000, "completed": 1000},
            {"status": "success"},
        ]
    )
    httpserver.expect_request("/api/pull").respond_with_data(pull, content_type="application/x-ndjson")
    host = httpserver.url_for("").rstrip("/")
    listing = run_cli("models", "list", THINKROOM_BACKEND="ollama", OLLAMA_HOST=host, timeout=60)
    assert listing.returncode == 0, listing.stderr
    assert "llama3.2:3b" in listing.stdout and "tools" in listing.stdout
    pulled = run_cli("models", "pull", "llama3.2:3b", THINKROOM_BACKEND="ollama", OLLAMA_HOST=host, timeout=60)
    assert pulled.returncode == 0, pulled.stderr
    assert "pulled llama3.2:3b" in pulled.stdout
