"""Chat messages in OpenAI's and LangChain's shapes normalise to one stored shape."""

from __future__ import annotations

import pytest

from workflows.messages import MessageError, add_messages, normalise, normalise_all, to_chat

AGENT_CHAT_UI = {"id": "3f1c", "type": "human", "content": [{"type": "text", "text": "What is attention?"}]}


def test_agent_chat_ui_message_keeps_its_id_and_flattens_text_parts() -> None:
    assert normalise(AGENT_CHAT_UI) == {"type": "human", "role": "user", "id": "3f1c", "content": "What is attention?"}


def test_openai_message_gets_a_type_and_a_fresh_id() -> None:
    a, b = normalise({"role": "user", "content": "hi"}), normalise({"role": "user", "content": "hi"})
    assert a["type"] == "human" and a["role"] == "user" and a["content"] == "hi"
    assert a["id"] and a["id"] != b["id"]


@pytest.mark.parametrize(
    ("raw", "kind", "role"),
    [({"type": "ai", "content": "x"}, "ai", "assistant"), ({"type": "system", "content": "x"}, "system", "system"),
     ({"type": "tool", "content": "x", "tool_call_id": "c1"}, "tool", "tool"),
     ({"type": "AIMessageChunk", "content": "x"}, "ai", "assistant"),
     ({"role": "assistant", "content": "x"}, "ai", "assistant")],
)
def test_every_type_and_role_maps(raw: dict[str, str], kind: str, role: str) -> None:
    message = normalise(raw)
    assert (message["type"], message["role"]) == (kind, role)


def test_normalising_is_idempotent() -> None:
    once = normalise(AGENT_CHAT_UI)
    assert normalise(once) == once


@pytest.mark.parametrize(
    ("raw", "names"),
    [({"content": "no type"}, "messages[0]: needs 'type'"), ({"type": "robot", "content": "x"}, "needs 'type'"),
     ({"type": "human", "content": [{"type": "image_url", "image_url": "u"}]}, "messages[0].content[0]"),
     ({"type": "human", "content": 3}, "messages[0].content"), (7, "messages[0]: expected an object")],
)
def test_bad_messages_name_the_field(raw: object, names: str) -> None:
    with pytest.raises(MessageError, match=names.replace("[", r"\[").replace("]", r"\]")):
        normalise_all([raw])


def test_reducer_appends_and_replaces_by_id() -> None:
    thread = add_messages([], [{"role": "user", "content": "first"}])
    thread = add_messages(thread, [{"type": "ai", "id": "a1", "content": "answer"}])
    edited = add_messages(thread, [{"type": "ai", "id": "a1", "content": "better answer"}])
    assert [m["content"] for m in edited] == ["first", "better answer"]
    appended = add_messages(edited, AGENT_CHAT_UI)
    assert [m["content"] for m in appended] == ["first", "better answer", "What is attention?"]


def test_gateway_view_uses_roles() -> None:
    chat = to_chat(normalise_all([AGENT_CHAT_UI, {"type": "ai", "content": "A"}]))
    assert [(m.role, m.content) for m in chat] == [("user", "What is attention?"), ("assistant", "A")]
