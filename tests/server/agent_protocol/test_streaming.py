"""runs.stream in every stream mode, runs.wait, create + join, join_stream, cancel,
interrupts resumed with Command(resume=...), state, history and forks."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langgraph_sdk.client import LangGraphClient

from .conftest import REPLY, collect

STEPS = ["draft", "review", "publish"]


async def stream(client: LangGraphClient, mode: Any, **kwargs: Any) -> list[tuple[str, Any]]:
    thread = await client.threads.create()
    return await collect(
        client.runs.stream(thread["thread_id"], "steps", input={"topic": "hello"}, stream_mode=mode, **kwargs)
    )


def only(events: list[tuple[str, Any]], name: str) -> list[Any]:
    return [data for event, data in events if event == name]


async def test_metadata_first_then_values(client: LangGraphClient) -> None:
    events = await stream(client, "values")
    assert events[0][0] == "metadata"
    assert set(events[0][1]) >= {"run_id", "attempt"} and events[0][1]["attempt"] == 1
    values = only(events, "values")
    assert values[0]["topic"] == "hello"
    assert values[-1]["steps"] == STEPS and values[-1]["draft"] == REPLY
    assert {e for e, _ in events} == {"metadata", "values"}


async def test_updates(client: LangGraphClient) -> None:
    updates = only(await stream(client, "updates"), "updates")
    assert [next(iter(u)) for u in updates] == STEPS
    assert updates[0]["draft"]["draft"] == REPLY


async def test_messages_tuple(client: LangGraphClient) -> None:
    messages = only(await stream(client, "messages-tuple"), "messages")
    assert messages, "token events become messages-tuple events"
    chunks = [chunk for chunk, _ in messages]
    assert all(c["type"] == "AIMessageChunk" for c in chunks)
    assert "".join(c["content"] for c in chunks) == REPLY
    assert len({c["id"] for c in chunks}) == 1
    assert all(meta["langgraph_node"] == "draft" for _, meta in messages)


async def test_custom(client: LangGraphClient) -> None:
    custom = only(await stream(client, "custom"), "custom")
    kinds = [c["kind"] for c in custom]
    assert kinds.count("node.start") == 3 and kinds.count("node.end") == 3
    assert "review.note" in kinds and "token" in kinds
    end = next(c for c in custom if c["kind"] == "node.end" and c["node"] == "draft")
    assert end["data"]["usage"]["completion_tokens"] == len(REPLY.split())


async def test_events(client: LangGraphClient) -> None:
    events = only(await stream(client, "events"), "events")
    kinds = [(e["event"], e["name"]) for e in events]
    assert kinds[0] == ("on_chain_start", "steps") and kinds[-1] == ("on_chain_end", "steps")
    for node in STEPS:
        assert ("on_chain_start", node) in kinds and ("on_chain_end", node) in kinds
    assert ("on_custom_event", "review.note") in kinds
    streamed = [e["data"]["chunk"]["content"] for e in events if e["event"] == "on_chat_model_stream"]
    assert "".join(streamed) == REPLY
    draft_end = next(e for e in events if e["event"] == "on_chain_end" and e["name"] == "draft")
    assert draft_end["data"]["output"]["draft"] == REPLY and draft_end["data"]["usage"]["calls"] == 1
    assert events[-1]["data"]["output"]["steps"] == STEPS


@pytest.mark.parametrize("mode", ["debug", "tasks", "checkpoints"])
async def test_cheap_modes(client: LangGraphClient, mode: str) -> None:
    assert only(await stream(client, mode), mode)


async def test_several_modes_at_once(client: LangGraphClient) -> None:
    events = await stream(client, ["values", "updates", "messages-tuple", "custom"])
    assert {e for e, _ in events} == {"metadata", "values", "updates", "messages", "custom"}


async def test_wait_and_create_join(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    result = await client.runs.wait(thread["thread_id"], "steps", input={"topic": "hello"})
    assert result["steps"] == STEPS and result["draft"] == REPLY
    run = await client.runs.create(thread["thread_id"], "slow", input={"delay": 0.05})
    assert run["status"] in ("pending", "running")
    joined = await client.runs.join(thread["thread_id"], run["run_id"])
    assert joined["steps"] == [*STEPS, "one", "two", "three"]
    done = await client.runs.get(thread["thread_id"], run["run_id"])
    assert done["status"] == "success"
    assert [r["status"] for r in await client.runs.list(thread["thread_id"])] == ["success", "success"]


async def test_join_stream_live_and_replayed(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    run = await client.runs.create(thread["thread_id"], "slow", input={"delay": 0.2}, stream_mode=["values", "updates"])
    live = await collect(client.runs.join_stream(thread["thread_id"], run["run_id"]))
    assert [next(iter(u)) for u in only(live, "updates")] == ["one", "two", "three"]
    replayed = await collect(client.runs.join_stream(thread["thread_id"], run["run_id"]))
    assert replayed == live
    values_only = await collect(client.runs.join_stream(thread["thread_id"], run["run_id"], stream_mode="values"))
    assert {e for e, _ in values_only} == {"metadata", "values"}
    tail = await collect(client.runs.join_stream(thread["thread_id"], run["run_id"], last_event_id="2"))
    assert tail == replayed[3:]


async def test_cancel_keeps_progress(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    run = await client.runs.create(thread["thread_id"], "slow", input={"delay": 0.4})
    await asyncio.sleep(0.6)
    await client.runs.cancel(thread["thread_id"], run["run_id"], wait=True)
    cancelled = await client.runs.get(thread["thread_id"], run["run_id"])
    assert cancelled["status"] == "interrupted"
    state = await client.threads.get_state(thread["thread_id"])
    assert state["values"]["steps"][:1] == ["one"] and "three" not in state["values"]["steps"]
    assert (await client.threads.get(thread["thread_id"]))["status"] != "busy"


async def test_interrupt_resumed_with_command(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    events = await collect(
        client.runs.stream(thread["thread_id"], "ask", input={"question": "2+2?"}, stream_mode="values")
    )
    last = only(events, "values")[-1]
    assert last["__interrupt__"][0]["value"] == {"question": "2+2?"}
    state = await client.threads.get_state(thread["thread_id"])
    assert state["next"] == ["ask"]
    assert state["interrupts"][0]["value"] == {"question": "2+2?"}
    assert state["tasks"][0]["interrupts"][0]["value"] == {"question": "2+2?"}
    thread_row = await client.threads.get(thread["thread_id"])
    assert thread_row["status"] == "interrupted"
    assert next(iter(thread_row["interrupts"].values()))[0]["value"] == {"question": "2+2?"}
    result = await client.runs.wait(thread["thread_id"], "ask", command={"resume": "4"})
    assert result["answer"] == "4" and result["verdict"] == "correct"
    assert (await client.threads.get(thread["thread_id"]))["status"] == "idle"


async def test_lesson_graph_interrupt_if_registered(client: LangGraphClient) -> None:
    graphs = {a["graph_id"] for a in await client.assistants.search(limit=100)}
    if "lesson" not in graphs:
        pytest.skip("the lesson workflow is not registered yet")
    schema = (await client.assistants.get_schemas("lesson"))["input_schema"] or {}
    props = schema.get("properties", {})
    lesson_input = {k: "attention" for k, v in props.items() if v.get("type") == "string"}
    thread = await client.threads.create()
    try:
        first = await client.runs.wait(thread["thread_id"], "lesson", input=lesson_input)
    except Exception as exc:  # noqa: BLE001 - its prompts may need rules this suite does not script
        pytest.skip(f"lesson needs scripted rules this suite lacks: {exc}")
    if "__interrupt__" not in first:
        pytest.skip("lesson did not ask a question with this input")
    state = await client.threads.get_state(thread["thread_id"])
    assert state["interrupts"]
    resumed = await client.runs.wait(thread["thread_id"], "lesson", command={"resume": "attention"})
    assert isinstance(resumed, dict)


async def test_state_history_update_and_fork(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    await client.runs.wait(thread["thread_id"], "steps", input={"topic": "hello"})
    history = await client.threads.get_history(thread["thread_id"], limit=10)
    assert [h["next"] for h in history[:4]] == [[], ["publish"], ["review"], ["draft"]]
    after_draft = history[2]
    assert after_draft["values"]["steps"] == ["draft"]
    at = await client.threads.get_state(thread["thread_id"], checkpoint_id=after_draft["checkpoint"]["checkpoint_id"])
    assert at["values"]["steps"] == ["draft"]
    # replay from the checkpoint after `draft`: only review and publish run again
    fork = await client.runs.wait(
        thread["thread_id"], "steps", input=None, checkpoint_id=after_draft["checkpoint"]["checkpoint_id"]
    )
    assert fork["steps"] == STEPS
    # a new input from that checkpoint starts a branch on top of its state
    branch = await client.runs.wait(
        thread["thread_id"], "steps", input={"topic": "hello again"},
        checkpoint={"checkpoint_id": after_draft["checkpoint"]["checkpoint_id"], "checkpoint_ns": ""},
    )
    assert branch["steps"] == ["draft", *STEPS]
    update = await client.threads.update_state(thread["thread_id"], {"topic": "edited"}, as_node="publish")
    assert update["checkpoint"]["checkpoint_id"]
    assert (await client.threads.get_state(thread["thread_id"]))["values"]["topic"] == "edited"
