"""The chat graph over HTTP, as the Chat tab uses it: a persona's tokens stream under the id of the reply the
thread stores, and its tool calls with their results are kept in the thread's state under that id."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.server.dashboard.conftest import Studio

REPLY = "Ask for five bullet points and give the model a persona."
RULES = [{"pattern": ".", "response": REPLY}]


def stream_turn(client: httpx.Client, thread_id: str, agent: str, text: str) -> list[tuple[str, Any]]:
    body = {
        "assistant_id": "chat", "input": {"messages": [{"role": "user", "content": text}], "agent": agent},
        "stream_mode": ["messages-tuple", "custom", "values"],
    }  # fmt: skip
    events: list[tuple[str, Any]] = []
    with client.stream("POST", f"/threads/{thread_id}/runs/stream", json=body) as res:
        assert res.status_code == 200
        name = ""
        for line in res.iter_lines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                events.append((name, json.loads(line[5:])))
    return events


def test_a_personas_tokens_carry_the_stored_replys_id_and_its_steps_are_kept(studio: Studio) -> None:
    with studio(RULES) as url, httpx.Client(base_url=url, timeout=120) as client:
        thread_id = client.post("/threads", json={"metadata": {"graph_id": "chat"}}).json()["thread_id"]
        events = stream_turn(client, thread_id, "prompt-engineer", "Improve: why did Rome fall?")
        chunks = [data[0] for name, data in events if name == "messages"]
        assert len(chunks) >= 5 and "".join(c["content"] for c in chunks) == REPLY  # streamed, not one piece
        state = client.get(f"/threads/{thread_id}/state").json()["values"]
        reply = state["messages"][-1]
        assert reply["type"] == "ai" and reply["content"] == REPLY
        assert {c["id"] for c in chunks} == {reply["id"]}  # a client can match the chunks to the stored message

        # the tutor computes with a concept tool: the call and its result stay in the thread under the reply's id
        events = stream_turn(client, thread_id, "tutor", "Explain softmax with an example")
        tools = ("tool_call", "tool_result")
        assert [data["kind"] for name, data in events if name == "custom" and data["kind"] in tools] == list(tools)
        state = client.get(f"/threads/{thread_id}/state").json()["values"]
        tutor_reply = state["messages"][-1]
        steps = state["steps"][tutor_reply["id"]]
        assert [s["kind"] for s in steps][:2] == ["tool_call", "tool_result"]
        assert steps[0]["content"].startswith("concept_softmax(") and "0.659" in steps[1]["content"]
        assert steps[0]["source"] == "tutor"
        assert [s["kind"] for s in state["steps"][reply["id"]]] == ["message"]  # the first turn's steps are kept too
