"""Suite-wide guards: the process stays offline, and helpers to build scripted gateways."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest

import agents  # noqa: F401  - turns telemetry off before any framework import

ALLOWED_HOSTS = {"localhost", "127.0.0.1", "::1"}
blocked_connections: list[Any] = []
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX
        return True
    host = address[0]
    if host in ALLOWED_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _is_local(address):
        blocked_connections.append(address)
        raise ConnectionRefusedError(f"thinkroom tests are offline: blocked connect to {address!r}")
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if not _is_local(address):
        blocked_connections.append(address)
        raise ConnectionRefusedError(f"thinkroom tests are offline: blocked connect to {address!r}")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def offline_network() -> Iterator[list[Any]]:
    """Every test runs with outbound connections limited to loopback (the Ollama test double)."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    yield blocked_connections
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No developer `.env` or THINKROOM_* variable leaks into a test."""
    for key in list(os.environ):
        if key.startswith("THINKROOM_") and key not in ("THINKROOM_EMBEDDED_CACHE_DIR",):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
