"""The studio's JSON routes: run summaries with timing and usage, and each graph's Mermaid diagram."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.helpers import running_server

CHAT = {"messages": [{"role": "user", "content": "hello"}]}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("studio-api")
    (tmp / "rules.json").write_text(json.dumps([{"pattern": ".", "response": "four words of reply"}]))
    with running_server(tmp, THINKROOM_BACKEND="scripted", THINKROOM_SCRIPTED_RULES=str(tmp / "rules.json")) as url:
        yield url


def test_a_finished_run_has_its_graph_timing_and_tokens(server: str) -> None:
    thread = httpx.post(f"{server}/threads", json={}, timeout=60).json()["thread_id"]
    body = {"assistant_id": "chat", "input": CHAT}
    waited = httpx.post(f"{server}/threads/{thread}/runs/wait", json=body, timeout=60)
    assert waited.status_code == 200, waited.text
    runs = httpx.get(f"{server}/api/studio/threads/{thread}/runs", timeout=30).json()
    assert len(runs) == 1
    run = runs[0]
    assert run["status"] == "success" and run["graph_id"] == "chat"
    assert run["started_at"] and run["ended_at"] and run["duration_s"] >= 0
    assert run["usage"]["completion_tokens"] > 0 and run["usage"]["calls"] == 1
    one = httpx.get(f"{server}/api/studio/threads/{thread}/runs/{run['run_id']}", timeout=30).json()
    assert one["run_id"] == run["run_id"] and one["duration_s"] == run["duration_s"]


def test_unknown_thread_run_and_graph_are_clear_404s(server: str) -> None:
    for path in ("/api/studio/threads/nope/runs", "/api/studio/threads/nope/runs/nope", "/api/graphs/nope/mermaid"):
        res = httpx.get(f"{server}{path}", timeout=30)
        assert res.status_code == 404, path
        assert res.json()["error"]["code"] == "not_found"
    assert "chat" in httpx.get(f"{server}/api/graphs/nope/mermaid", timeout=30).json()["error"]["message"]


def test_the_mermaid_diagram_is_langgraphs_own(server: str) -> None:
    res = httpx.get(f"{server}/api/graphs/chat/mermaid", timeout=30)
    assert res.status_code == 200
    source = res.json()["mermaid"]
    assert "graph TD" in source and "respond" in source and "__start__ --> respond" in source


def test_state_can_be_updated_on_a_past_checkpoint(server: str) -> None:
    """The studio's 'fork with edits': the update branches from the chosen checkpoint, not the latest one."""
    thread = httpx.post(f"{server}/threads", json={}, timeout=60).json()["thread_id"]
    body = {"assistant_id": "chat", "input": CHAT}
    assert httpx.post(f"{server}/threads/{thread}/runs/wait", json=body, timeout=60).status_code == 200
    history = httpx.post(f"{server}/threads/{thread}/history", json={"limit": 10}, timeout=30).json()
    past = next(s for s in history if s["next"] == ["respond"])
    edited = {"messages": [{**past["values"]["messages"][0], "content": "edited"}]}
    res = httpx.post(f"{server}/threads/{thread}/state",
                     json={"values": edited, "checkpoint_id": past["checkpoint"]["checkpoint_id"]}, timeout=30)
    assert res.status_code == 200, res.text
    made = res.json()["checkpoint"]["checkpoint_id"]
    state = httpx.get(f"{server}/threads/{thread}/state/{made}", timeout=30).json()
    assert state["parent_checkpoint"]["checkpoint_id"] == past["checkpoint"]["checkpoint_id"]
    assert [m["content"] for m in state["values"]["messages"]] == ["edited"]
