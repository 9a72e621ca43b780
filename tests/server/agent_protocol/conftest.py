"""A real `thinkroom serve` subprocess on the scripted backend, serving the test graphs,
driven by the official langgraph-sdk client."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from tests.postgres import PostgresServer
from tests.server.helpers import THINKROOM, cli_env, free_port, running_server

from .graphs import EXTRA_GRAPHS

REPO = Path(__file__).resolve().parents[3]
RULES = [
    {"pattern": "hello|topic", "response": "Hello there, dear learner"},
    {"pattern": r"turn \d+", "response": "Noted, next please"},
    # everything else (e.g. the lesson tutor's prompts) except the failure tests' "zzz" prompts
    {"pattern": r"^(?!.*zzz)", "response": "Attention lets each token weigh every other token. What is 2+2?"},
]
REPLY = "Hello there, dear learner"


def server_env(directory: Path, **extra: str) -> dict[str, str]:
    rules = directory / "rules.json"
    rules.write_text(json.dumps(RULES))
    env = {
        "THINKROOM_BACKEND": "scripted",
        "THINKROOM_SCRIPTED_RULES": str(rules),
        "THINKROOM_EXTRA_GRAPHS": json.dumps(EXTRA_GRAPHS),
        "THINKROOM_MAX_WORKERS": "8",
        "THINKROOM_DATABASE_URL": f"sqlite:///{directory}/data/thinkroom.db",
        "THINKROOM_CHECKPOINT_PATH": str(directory / "data" / "checkpoints.db"),
        "PYTHONPATH": str(REPO),
    }
    env.update(extra)
    return env


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    """Which database the module's server uses: the suite runs on SQLite and on PostgreSQL."""
    return str(request.param)


def database_env(request: pytest.FixtureRequest, database: str) -> dict[str, str]:
    """THINKROOM_DATABASE_URL of a fresh PostgreSQL database (nothing extra for SQLite)."""
    if database == "sqlite":
        return {}
    server: PostgresServer = request.getfixturevalue("postgres")
    return {"THINKROOM_DATABASE_URL": server.database(), "THINKROOM_RUN_LEASE_S": "3"}


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest, database: str) -> Iterator[str]:
    directory = tmp_path_factory.mktemp(f"agent-protocol-{database}")
    with running_server(directory, **server_env(directory, **database_env(request, database))) as url:
        yield url


@pytest.fixture
def client(api_url: str) -> LangGraphClient:
    return get_client(url=api_url, api_key=None)


class ServerProcess:
    """A server we can stop gracefully or kill -9 and start again on the same data."""

    def __init__(self, directory: Path, **env: str) -> None:
        self.directory = directory
        self.env = server_env(directory, **env)
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, timeout_s: float = 60) -> str:
        port = free_port()
        log = (self.directory / f"server-{port}.log").open("w")
        self.proc = subprocess.Popen(
            [THINKROOM, "serve", "--port", str(port)], env=cli_env(**self.env), cwd=self.directory,
            stdout=log, stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {(self.directory / f'server-{port}.log').read_text()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self.url
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError("server did not answer /health")

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def client(self) -> LangGraphClient:
        return get_client(url=self.url, api_key=None)


@contextmanager
def server_process(directory: Path, **env: str) -> Iterator[ServerProcess]:
    server = ServerProcess(directory, **env)
    try:
        yield server
    finally:
        server.stop()


async def collect(stream: Any) -> list[tuple[str, Any]]:
    return [(part.event, part.data) async for part in stream]
