"""Mounting /mcp in-process: the route answers once warm-up is done, and a server that cannot start is a clear 503."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.gateway import Gateway
from server.mcp import sessions

from ..conftest import make_client
from .test_mcp_server import INITIALIZE, MCP_HEADERS


def test_mcp_answers_in_process(tmp_path: Path) -> None:
    with make_client(tmp_path, Gateway(ScriptedBackend([]))) as client:
        response = client.post("/mcp", json=INITIALIZE, headers=MCP_HEADERS)
        listed = client.post("/mcp", json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, headers=MCP_HEADERS)
    assert response.status_code == 200 and '"name":"thinkroom"' in response.text
    assert listed.status_code == 200 and '"concept_softmax"' in listed.text


def test_an_mcp_server_that_fails_to_start_is_a_503(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("no session manager today")

    monkeypatch.setattr(sessions, "session_manager", broken)
    with make_client(tmp_path, Gateway(ScriptedBackend([]))) as client:
        response = client.post("/mcp", json=INITIALIZE, headers=MCP_HEADERS)
        assert client.get("/health").json()["ready"] is True  # the rest of the API is up
    assert response.status_code == 503
    assert response.json()["error"]["message"] == (
        "the MCP server is not available: it failed to start: RuntimeError: no session manager today"
    )
