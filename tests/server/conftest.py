"""App fixtures: the real FastAPI app on a scripted or embedded gateway."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.gateway import Gateway
from agents.settings import Settings
from server.app import create_app
from tests.postgres import postgres  # noqa: F401  - the throwaway PostgreSQL server (scale-out tests)


def make_client(tmp_path: Path, gateway: Gateway, **settings: object) -> TestClient:
    config = Settings(
        database_url=f"sqlite:///{tmp_path}/thinkroom.db",
        checkpoint_path=tmp_path / "checkpoints.db",
        **settings,  # type: ignore[arg-type]
    )
    return TestClient(create_app(config, gateway=gateway))


@pytest.fixture
def scripted_client(tmp_path: Path) -> Iterator[TestClient]:
    gateway = Gateway(ScriptedBackend([{"pattern": ".", "response": "ok", "next_token": {" Paris": 0.6, " the": 0.3}}]))
    with make_client(tmp_path, gateway) as client:
        yield client
