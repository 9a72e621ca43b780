"""The MCP tools on a PostgreSQL-backed server: runs go through the replicas' shared queue (ClusterRunManager)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.postgres import PostgresServer

from ..helpers import running_server
from .conftest import EVALUATOR_REPLY, RULES, api, mcp_session
from .test_mcp_server import text_of


async def test_agent_and_timeout_on_postgres(tmp_path: Path, postgres: PostgresServer) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES))
    env = {
        "THINKROOM_BACKEND": "scripted",
        "THINKROOM_SCRIPTED_RULES": str(rules),
        "THINKROOM_DATABASE_URL": postgres.database(),
    }
    with running_server(tmp_path, **env) as url:
        async with mcp_session(url) as session:
            answered = await session.call_tool("agent_evaluator", {"message": "Grade: 2 + 2 = 4"})
            slow = {"messages": [{"role": "user", "content": "take your time"}]}
            late = await session.call_tool("workflow_chat", {"input": slow, "thread_id": "pg-slow", "timeout_s": 0.5})
        assert answered.isError is False and text_of(answered) == EVALUATOR_REPLY
        assert late.isError is True and "timed out after 0.5 s" in text_of(late)
        ids = answered.structuredContent or {}
        with api(url) as client:
            done = client.get(f"/threads/{ids['thread_id']}/runs").json()
            cancelled = client.get("/threads/pg-slow/runs").json()
    assert [(r["run_id"], r["status"]) for r in done] == [(ids["run_id"], "success")]
    assert [r["status"] for r in cancelled] == ["interrupted"]
