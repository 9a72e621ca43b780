"""A real `thinkroom serve` per database (SQLite and PostgreSQL), as the Agent Protocol suite runs it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from tests.server.agent_protocol.conftest import database_env, server_env
from tests.server.helpers import running_server


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest, database: str) -> Iterator[str]:
    directory = tmp_path_factory.mktemp(f"store-{database}")
    with running_server(directory, **server_env(directory, **database_env(request, database))) as url:
        yield url


@pytest.fixture
def client(api_url: str) -> LangGraphClient:
    return get_client(url=api_url, api_key=None)
