"""What is put in the store is still there after the server stops and starts again on the same data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.server.agent_protocol.conftest import database_env, server_process


async def test_items_survive_a_restart(tmp_path: Path, request: pytest.FixtureRequest, database: str) -> None:
    with server_process(tmp_path, **database_env(request, database)) as server:
        server.start()
        await server.client().store.put_item(["learners", "ada", "progress"], key="top_p", value={"lessons": 2})
        server.stop()
        assert (tmp_path / "data" / "store.db").exists() == (database == "sqlite")  # PostgreSQL: in its database
        server.start()
        client = server.client()
        item = await client.store.get_item(["learners", "ada", "progress"], key="top_p")
        assert item["value"] == {"lessons": 2}
        listed = await client.store.list_namespaces(prefix=["learners"])
        assert listed["namespaces"] == [["learners", "ada", "progress"]]
