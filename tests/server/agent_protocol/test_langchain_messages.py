"""The `chat` graph with LangChain clients: agent-chat-ui's exact request shapes (a human
message with content parts and a client id; stream_subgraphs, stream_resumable,
on_disconnect), its follow-up turn from the thread head's checkpoint, and the thread state
it renders: every message has `type` and `id`, and streamed chunks share the stored reply's id."""

from __future__ import annotations

from typing import Any

import httpx
from langgraph_sdk.client import LangGraphClient

from .conftest import REPLY, collect


def human(text: str, ident: str) -> dict[str, Any]:
    """What agent-chat-ui's handleSubmit builds (src/components/thread/index.tsx)."""
    return {"id": ident, "type": "human", "content": [{"type": "text", "text": text}]}


async def submit(client: LangGraphClient, thread_id: str, message: dict[str, Any], **extra: Any) -> list[Any]:
    """useStream.submit: values + messages-tuple, subgraphs and resumable streams on."""
    return await collect(client.runs.stream(
        thread_id, "chat", input={"messages": [message]}, stream_mode=["values", "messages-tuple"],
        stream_subgraphs=True, stream_resumable=True, on_disconnect="continue", **extra,
    ))


async def test_agent_chat_ui_turn_stores_typed_messages_matching_stream(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    events = await submit(client, thread["thread_id"], human("hello, what is attention?", "c0ffee-1"))
    assert "error" not in {e for e, _ in events}, events
    chunks = [chunk for event, (chunk, _meta) in ((e, d) for e, d in events if e == "messages")]
    assert chunks and "".join(c["content"] for c in chunks) == REPLY
    state = await client.threads.get_state(thread["thread_id"])
    messages = state["values"]["messages"]
    assert [(m["type"], m["content"]) for m in messages] == [("human", "hello, what is attention?"), ("ai", REPLY)]
    assert messages[0]["id"] == "c0ffee-1"
    assert {c["id"] for c in chunks} == {messages[1]["id"]}
    last_values = [d for e, d in events if e == "values"][-1]
    assert last_values["messages"] == messages

    # the next turn, as useStream sends it: only the new message, from the thread head's checkpoint
    head = dict(state["checkpoint"])
    head.pop("thread_id", None)
    await submit(client, thread["thread_id"], human("hello again", "c0ffee-2"), checkpoint=head)
    after = (await client.threads.get_state(thread["thread_id"]))["values"]["messages"]
    assert [m["type"] for m in after] == ["human", "ai", "human", "ai"]
    assert [m["id"] for m in after][:3] == ["c0ffee-1", messages[1]["id"], "c0ffee-2"]
    assert len({m["id"] for m in after}) == 4


async def test_exact_agent_chat_ui_body_over_http(api_url: str) -> None:
    """The JSON body the JS SDK posts for useStream.submit, byte for byte in shape."""
    async with httpx.AsyncClient(base_url=api_url) as http:
        thread = (await http.post("/threads", json={})).json()
        body = {
            "input": {"messages": [human("hello from the browser", "0b9f7a1e-5d0e-4d8e-9d43-1f2a3b4c5d6e")]},
            "stream_mode": ["values", "messages-tuple"], "stream_subgraphs": True, "stream_resumable": True,
            "assistant_id": "chat", "on_disconnect": "continue",
        }
        response = await http.post(f"/threads/{thread['thread_id']}/runs/stream", json=body)
        assert response.status_code == 200 and "event: error" not in response.text
        state = (await http.get(f"/threads/{thread['thread_id']}/state")).json()
    messages = state["values"]["messages"]
    ident = "0b9f7a1e-5d0e-4d8e-9d43-1f2a3b4c5d6e"
    assert messages[0] == {"type": "human", "role": "user", "id": ident, "content": "hello from the browser"}
    assert messages[1]["type"] == "ai" and messages[1]["id"] and messages[1]["content"] == REPLY


async def test_studio_string_content_and_openai_shape_mix(client: LangGraphClient) -> None:
    """LangGraph Studio sends type + string content and no id; OpenAI-style clients send role."""
    thread = await client.threads.create()
    await client.runs.wait(thread["thread_id"], "chat", input={"messages": [{"type": "human", "content": "hello"}]})
    await client.runs.wait(thread["thread_id"], "chat", input={"messages": [{"role": "user", "content": "hello"}]})
    messages = (await client.threads.get_state(thread["thread_id"]))["values"]["messages"]
    assert [m["type"] for m in messages] == ["human", "ai", "human", "ai"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert all(m["id"] for m in messages) and len({m["id"] for m in messages}) == 4


async def test_non_text_part_is_refused_naming_it(client: LangGraphClient) -> None:
    """Refused as a failed run or a 4xx (whichever the run path reports input errors as), never answered."""
    image = {"id": "i1", "type": "human", "content": [{"type": "image", "source_type": "base64", "data": "AA=="}]}
    try:
        result: Any = await client.runs.wait(None, "chat", input={"messages": [image]}, raise_error=False)
    except httpx.HTTPStatusError as exc:
        assert 400 <= exc.response.status_code < 500
        result = exc.response.text
    assert "messages[0].content[0]" in str(result) and REPLY not in str(result)


async def test_agent_chat_ui_session_with_the_js_sdk_bodies(api_url: str) -> None:
    """useStream (fetchStateHistory: true) as @langchain/langgraph-sdk posts it: thread create, thread list,
    history, a turn, the next turn from the thread head's checkpoint, and "regenerate" (no input, from the
    parent checkpoint of the state that first showed the reply); undefined keys are simply absent."""
    turn = {"stream_mode": ["values", "updates", "messages-tuple"], "stream_subgraphs": True,
            "stream_resumable": True, "assistant_id": "chat", "on_disconnect": "continue"}
    async with httpx.AsyncClient(base_url=api_url) as http:
        thread = (await http.post("/threads", json={"metadata": {}})).json()["thread_id"]
        listed = await http.post("/threads/search", json={"metadata": {"graph_id": "chat"}, "limit": 100, "offset": 0})
        assert listed.status_code == 200
        assert (await http.post(f"/threads/{thread}/history", json={"limit": 10})).json() == []

        async def submit(**body: Any) -> str:
            response = await http.post(f"/threads/{thread}/runs/stream", json={**turn, **body})
            assert response.status_code == 200 and "event: error" not in response.text, response.text
            return response.text

        await submit(input={"messages": [human("hello", "m-1")]})
        history = (await http.post(f"/threads/{thread}/history", json={"limit": 10})).json()
        head = {k: v for k, v in history[0]["checkpoint"].items() if k != "thread_id"}
        await submit(input={"messages": [human("hello again", "m-2")]}, checkpoint=head)
        history = (await http.post(f"/threads/{thread}/history", json={"limit": 10})).json()
        messages = history[0]["values"]["messages"]
        assert [m["id"] for m in messages][:3] == ["m-1", messages[1]["id"], "m-2"] and len(messages) == 4

        reply = messages[-1]["id"]
        first_seen = [s for s in history if reply in [m["id"] for m in s["values"].get("messages", [])]][-1]
        parent = {k: v for k, v in first_seen["parent_checkpoint"].items() if k != "thread_id"}
        await submit(checkpoint=parent)
        state = (await http.get(f"/threads/{thread}/state")).json()
    regenerated = state["values"]["messages"]
    assert [m["id"] for m in regenerated[:3]] == [m["id"] for m in messages[:3]]
    assert len(regenerated) == 4 and regenerated[3]["type"] == "ai" and regenerated[3]["id"] != reply
