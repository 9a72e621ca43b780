"""The test MCP server (glossary_server.py) as THINKROOM_MCP_SERVERS entries, and a scripted
backend that also reads tool results, so a reply can be scripted to need the real result."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.types import ChatMessage
from agents.settings import get_settings
from tests.agents.crewai.conftest import EventLog
from tests.server.helpers import free_port

from .glossary_server import GLOSSARY

SERVER = Path(__file__).with_name("glossary_server.py")
TEMPERATURE = GLOSSARY["temperature"]


def glossary_entry(name: str = "glossary", **extra: Any) -> dict[str, Any]:
    """A THINKROOM_MCP_SERVERS entry that starts the test glossary server over stdio."""
    return {"name": name, "command": sys.executable, "args": [str(SERVER)], **extra}


@pytest.fixture
def configure_mcp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[list[dict[str, Any]]], None]]:
    """Set THINKROOM_MCP_SERVERS for the test (the settings are re-read, then forgotten after it)."""

    def configure(entries: list[dict[str, Any]]) -> None:
        monkeypatch.setenv("THINKROOM_MCP_SERVERS", json.dumps(entries))
        get_settings.cache_clear()

    get_settings.cache_clear()
    yield configure
    get_settings.cache_clear()


class ToolReadingBackend(ScriptedBackend):
    """Scripted rules that also see tool turns: a rule can require the tool's real result."""

    def _respond(self, messages: list[ChatMessage]) -> Any:
        text = "\n".join(m.content for m in messages if m.role in ("system", "user", "tool"))
        rule = self._match(text)
        with self._lock:
            return rule, rule.take()


@pytest.fixture
def event_log() -> EventLog:
    return EventLog()


@pytest.fixture(scope="module")
def glossary_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The glossary server over streamable HTTP on a loopback port: its /mcp URL."""
    port = free_port()
    log = (tmp_path_factory.mktemp("glossary-http") / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, str(SERVER), "--http", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not _listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the glossary HTTP server did not start (exit code {proc.poll()})")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
