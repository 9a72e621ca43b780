"""A real `thinkroom serve` on the scripted backend, with an API key, and an MCP client session on its `/mcp`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamablehttp_client

from ..helpers import running_server

KEY = "mcp-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
EVALUATOR_REPLY = "SCORE: 9\nREASONS:\n- the sum is correct\nAPPROVE"
CAPITAL_REPLY = "The capital of France is Paris."
PROMPT_REPLY = "Rewritten prompt: Explain attention to a beginner in three sentences.\n- descriptive: says the audience"
RULES = [
    {"pattern": "take your time", "response": "too late", "delay_s": 120},
    {"pattern": "strict evaluator", "response": EVALUATOR_REPLY},
    {"pattern": "prompt engineer", "response": PROMPT_REPLY},
    {"pattern": "capital of France", "response": CAPITAL_REPLY},
    {"pattern": ".", "response": "I have no scripted answer for that.", "next_token": {" upon": 0.7, " more": 0.2}},
]


@pytest.fixture(scope="package")
def mcp_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server's base URL (the MCP endpoint is `{base}/mcp`)."""
    tmp = tmp_path_factory.mktemp("mcp-server")
    rules = tmp / "rules.json"
    rules.write_text(json.dumps(RULES))
    env = {"THINKROOM_BACKEND": "scripted", "THINKROOM_SCRIPTED_RULES": str(rules), "THINKROOM_API_KEY": KEY}
    with running_server(tmp, **env) as url:
        yield url
    log = "".join(path.read_text() for path in tmp.glob("server-*.log"))
    assert "Application shutdown complete" in log and "Traceback" not in log  # the session manager stops cleanly


@asynccontextmanager
async def mcp_session(base_url: str) -> AsyncIterator[ClientSession]:
    """An initialized MCP client session, through the SDK's streamable-HTTP client, with the key."""
    async with streamablehttp_client(f"{base_url}/mcp", headers=AUTH, timeout=60) as (read, write, _):
        async with ClientSession(read, write) as session:
            await session.initialize()
            yield session


def api(base_url: str) -> httpx.Client:
    """The REST API with the key, to check what the MCP calls stored."""
    return httpx.Client(base_url=base_url, headers=AUTH, timeout=60)
