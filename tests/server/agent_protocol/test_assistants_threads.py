"""Assistants and threads through langgraph-sdk: built-ins per workflow, CRUD, search, copy."""

from __future__ import annotations

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import ConflictError, NotFoundError, UnprocessableEntityError


async def test_search_lists_a_builtin_assistant_per_workflow(client: LangGraphClient) -> None:
    found = await client.assistants.search(limit=100)
    graphs = {a["graph_id"] for a in found}
    assert {"chat", "steps", "ask", "slow"} <= graphs
    by_name = await client.assistants.get("steps")
    assert by_name["graph_id"] == "steps"
    assert by_name["assistant_id"] in {a["assistant_id"] for a in found}
    assert (await client.assistants.get(by_name["assistant_id"]))["name"] == "steps"


async def test_graph_and_schemas(client: LangGraphClient) -> None:
    graph = await client.assistants.get_graph("steps")
    assert {n["id"] for n in graph["nodes"]} >= {"draft", "review", "publish"}
    assert {"source": "draft", "target": "review"} in [
        {"source": e["source"], "target": e["target"]} for e in graph["edges"]
    ]
    schemas = await client.assistants.get_schemas("ask")
    assert schemas["graph_id"] == "ask"
    assert "question" in schemas["input_schema"]["properties"]
    assert "verdict" in schemas["state_schema"]["properties"]


async def test_user_assistant_crud(client: LangGraphClient) -> None:
    made = await client.assistants.create(
        "chat", config={"configurable": {"model": "scripted", "temperature": 0.2}},
        metadata={"owner": "ana"}, name="tutor",
    )
    assert made["graph_id"] == "chat" and made["version"] == 1
    assert made["config"]["configurable"]["temperature"] == 0.2
    hits = await client.assistants.search(metadata={"owner": "ana"})
    assert [a["assistant_id"] for a in hits] == [made["assistant_id"]]
    patched = await client.assistants.update(made["assistant_id"], metadata={"level": 2}, name="tutor2")
    assert patched["name"] == "tutor2" and patched["version"] == 2
    assert patched["metadata"] == {"owner": "ana", "level": 2}
    with pytest.raises(ConflictError):
        await client.assistants.create("chat", assistant_id=made["assistant_id"])
    same = await client.assistants.create("chat", assistant_id=made["assistant_id"], if_exists="do_nothing")
    assert same["assistant_id"] == made["assistant_id"]
    await client.assistants.delete(made["assistant_id"])
    with pytest.raises(NotFoundError):
        await client.assistants.get(made["assistant_id"])


async def test_unknown_graph_is_422_naming_the_field(client: LangGraphClient, api_url: str) -> None:
    with pytest.raises(UnprocessableEntityError):
        await client.assistants.create("no-such-graph")
    body = httpx.post(f"{api_url}/assistants", json={"graph_id": "no-such-graph"}).json()
    assert body["error"]["code"] == "invalid_input" and "graph_id" in body["error"]["message"]


async def test_thread_crud_search_copy(client: LangGraphClient) -> None:
    thread = await client.threads.create(metadata={"course": "attention"})
    assert thread["status"] == "idle" and thread["metadata"] == {"course": "attention"}
    with pytest.raises(ConflictError):
        await client.threads.create(thread_id=thread["thread_id"])
    await client.runs.wait(thread["thread_id"], "steps", input={"topic": "hello"})
    found = await client.threads.search(metadata={"course": "attention"})
    assert [t["thread_id"] for t in found] == [thread["thread_id"]]
    assert found[0]["values"]["steps"] == ["draft", "review", "publish"]
    updated = await client.threads.update(thread["thread_id"], metadata={"week": 3})
    assert updated["metadata"]["week"] == 3 and updated["metadata"]["course"] == "attention"
    copy = await client.threads.copy(thread["thread_id"])
    assert copy["thread_id"] != thread["thread_id"]
    copied_state = await client.threads.get_state(copy["thread_id"])
    assert copied_state["values"]["steps"] == ["draft", "review", "publish"]
    await client.threads.delete(thread["thread_id"])
    with pytest.raises(NotFoundError):
        await client.threads.get(thread["thread_id"])
    assert (await client.threads.get(copy["thread_id"]))["thread_id"] == copy["thread_id"]


async def test_unknown_ids_are_404(client: LangGraphClient) -> None:
    with pytest.raises(NotFoundError):
        await client.threads.get_state("nope")
    with pytest.raises(NotFoundError):
        await client.runs.get("nope", "nope")
    with pytest.raises(httpx.HTTPStatusError) as missing_thread:  # runs.wait raises httpx's own error
        await client.runs.wait("nope", "steps", input={})
    assert missing_thread.value.response.status_code == 404
    thread = await client.threads.create()
    with pytest.raises(NotFoundError):
        await client.runs.create(thread["thread_id"], "no-such-assistant", input={})
