"""Fast start: /health answers before LangGraph is imported; early API calls wait, never fail."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.gateway import Gateway
from server import warmup

from .conftest import make_client
from .helpers import free_port, running_server


def test_requests_made_right_after_health_wait_for_the_api(tmp_path: Path) -> None:
    with running_server(tmp_path, THINKROOM_BACKEND="embedded", OLLAMA_HOST=f"http://127.0.0.1:{free_port()}") as url:
        created = httpx.post(f"{url}/threads", json={}, timeout=60)  # sent as soon as /health answered
        assert created.status_code == 200 and created.json()["thread_id"]
        deadline = time.monotonic() + 30
        while not httpx.get(f"{url}/health").json()["ready"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert httpx.get(f"{url}/health").json()["ready"] is True
        assert "/threads" in httpx.get(f"{url}/openapi.json").json()["paths"]


def test_health_does_not_wait_for_the_heavy_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = warmup.import_heavy

    def slow_import() -> list:
        time.sleep(1.5)
        return slow()

    monkeypatch.setattr(warmup, "import_heavy", slow_import)
    with make_client(tmp_path, Gateway(ScriptedBackend([]))) as client:
        started = time.monotonic()
        health = client.get("/health").json()
        assert time.monotonic() - started < 1.0 and health["ready"] is False
        assert client.get("/api/agents").status_code == 200  # waited for warm-up
        assert client.get("/health").json()["ready"] is True


def test_a_failed_start_is_a_clear_503(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warmup, "HEAVY_ROUTERS", ("server.routes.no_such_module",))
    with make_client(tmp_path, Gateway(ScriptedBackend([]))) as client:
        assert isinstance(client, TestClient)
        response = client.get("/threads/search")
        assert response.status_code == 503
        assert "no_such_module" in response.json()["error"]["message"]
        health = client.get("/health").json()
        assert health["status"] == "error" and health["ready"] is False


def test_serve_settles_the_heap_after_warm_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`thinkroom serve` freezes start-up objects once the API is mounted (full collections then skip
    them); an app built by a test or embedder does not touch its host process's collector."""
    calls: list[bool] = []
    monkeypatch.setattr(warmup, "settle_heap", lambda: calls.append(True))
    with make_client(tmp_path, Gateway(ScriptedBackend([]))) as client:
        assert client.get("/api/agents").status_code == 200  # after warm-up
    assert calls == []

    from agents.settings import Settings
    from server.app import create_app

    settings = Settings(database_url=f"sqlite:///{tmp_path}/own.db", checkpoint_path=tmp_path / "own-checkpoints.db")
    with TestClient(create_app(settings, Gateway(ScriptedBackend([])), settle_heap=True)) as client:
        assert client.get("/api/agents").status_code == 200
        assert calls == [True]


def test_settle_heap_freezes_what_exists() -> None:
    import gc

    before = gc.get_freeze_count()
    try:
        warmup.settle_heap()
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
