"""Through the real `thinkroom serve` with THINKROOM_MCP_SERVERS set: a chat run with a CrewAI
persona and one with an AutoGen persona each call the test MCP server's `glossary` tool, and
the streamed run shows the call and the server's real result as tool events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.agents.crewai.conftest import action, final
from tests.server.helpers import running_server

from .conftest import TEMPERATURE, glossary_entry

RULES = {
    "capabilities": ["completion", "tools"],
    "rules": [
        # the CrewAI turn's answer needs the real result in its prompt (the Observation)
        {"pattern": f"Observation:.*{TEMPERATURE[:40]}", "response": final(f"Glossary says: {TEMPERATURE}")},
        {"pattern": "prompt engineer", "response": action("glossary", json.dumps({"term": "temperature"}))},
        # AutoGen: the call, then the grade after the tool result
        {
            "pattern": "strict evaluator",
            "responses": [
                json.dumps({"tool": "glossary", "arguments": {"term": "top-p"}}),
                "SCORE: 7\nREASONS:\n- uses the glossary's top-p",
            ],
        },
    ],
}
TOP_P = "Top-p keeps the smallest set of tokens whose probabilities sum to at least p."


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("mcp-served")
    rules = directory / "rules.json"
    rules.write_text(json.dumps(RULES))
    env = {
        "THINKROOM_BACKEND": "scripted",
        "THINKROOM_SCRIPTED_RULES": str(rules),
        "THINKROOM_MCP_SERVERS": json.dumps([glossary_entry()]),
    }
    with running_server(directory, **env) as url:
        yield url


def sse(text: str) -> list[tuple[str, Any]]:
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines and "data" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events


def chat_run(url: str, agent: str, question: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The custom events and final values of a streamed chat run with `agent`."""
    with httpx.Client(base_url=url, timeout=120) as client:
        thread = client.post("/threads", json={}).json()["thread_id"]
        body = {
            "assistant_id": "chat",
            "input": {"messages": [{"role": "user", "content": question}], "agent": agent},
            "stream_mode": ["custom", "values"],
        }
        response = client.post(f"/threads/{thread}/runs/stream", json=body)
    assert response.status_code == 200, response.text
    events = sse(response.text)
    custom = [data for kind, data in events if kind == "custom"]
    values = [data for kind, data in events if kind == "values"]
    assert values, events
    return custom, values[-1]


def tool_events(custom: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(e["kind"], e["data"]) for e in custom if e["kind"] in ("tool_call", "tool_result")]


def test_a_crewai_persona_calls_the_mcp_tool_in_a_served_chat_run(api_url: str) -> None:
    custom, values = chat_run(api_url, "prompt-engineer", "Improve my prompt: explain temperature to a beginner.")
    events = tool_events(custom)
    assert [kind for kind, _ in events] == ["tool_call", "tool_result"]
    assert events[0][1]["tool"] == "glossary" and events[0][1]["arguments"] == {"term": "temperature"}
    assert events[1][1]["result"] == TEMPERATURE and events[1][1]["error"] is False
    assert values["answer"] == f"Glossary says: {TEMPERATURE}"


def test_an_autogen_persona_calls_the_mcp_tool_in_a_served_chat_run(api_url: str) -> None:
    custom, values = chat_run(api_url, "evaluator", "Grade this haiku: autumn moonlight, a worm digs silently.")
    events = tool_events(custom)
    assert [kind for kind, _ in events] == ["tool_call", "tool_result"]
    assert events[0][1]["name"] == "glossary" and json.loads(events[0][1]["arguments"]) == {"term": "top-p"}
    assert events[1][1]["content"] == TOP_P and events[1][1]["is_error"] is False
    assert values["answer"].startswith("SCORE: 7")
