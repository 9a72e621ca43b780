"""Chat messages in one stored shape, whichever client sent them.

OpenAI clients send `{"role", "content"}`; LangChain clients (agent-chat-ui, LangGraph
Studio) send `{"type": "human"|"ai"|"system"|"tool", "content": str | parts, "id"}`.
`normalise` turns either into `{"type", "role", "id", "content"}` with text content, once,
so the thread state renders in LangChain UIs (which key on `type` and `id`) and OpenAI-style
readers keep their `role`. `add_messages` is the state reducer: it appends, and a message
whose id is already in the thread replaces it (how those UIs edit a turn).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NotRequired, TypedDict

from agents.llm.types import ChatMessage, Role

MessageType = Literal["human", "ai", "system", "tool"]

TYPE_OF_ROLE: dict[str, MessageType] = {
    "user": "human", "human": "human", "assistant": "ai", "ai": "ai", "system": "system",
    "developer": "system", "tool": "tool",
}
ROLE_OF_TYPE: dict[MessageType, Role] = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}
# LangChain's serialised class names, as `type` when a client sends a chunk or class dump
_CLASS_TYPES = {"HumanMessage": "human", "AIMessage": "ai", "AIMessageChunk": "ai", "SystemMessage": "system",
                "ToolMessage": "tool"}


class StoredMessage(TypedDict):
    """One message of a thread, as stored and returned."""

    type: MessageType
    role: Role
    id: str
    content: str
    tool_call_id: NotRequired[str]


class MessageError(ValueError):
    """A message that is neither OpenAI- nor LangChain-shaped; the text says which one and why."""


def new_id() -> str:
    return str(uuid.uuid4())


def text_of(content: Any, where: str) -> str:
    """A message's text: a string, or the concatenated `text` parts of a LangChain/OpenAI parts list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        pieces = []
        for i, part in enumerate(content):
            if isinstance(part, str):
                pieces.append(part)
            elif isinstance(part, Mapping) and part.get("type") == "text" and isinstance(part.get("text"), str):
                pieces.append(part["text"])
            else:
                kind = part.get("type") if isinstance(part, Mapping) else type(part).__name__
                raise MessageError(f"{where}.content[{i}]: only text parts are supported, got {kind!r}")
        return "".join(pieces)
    if content is None:
        return ""
    raise MessageError(f"{where}.content: expected a string or a list of text parts")


def message_type(raw: Mapping[str, Any], where: str) -> MessageType:
    kind = raw.get("type")
    if isinstance(kind, str) and kind in _CLASS_TYPES:
        return _CLASS_TYPES[kind]  # type: ignore[return-value]
    key = kind if isinstance(kind, str) and kind in ROLE_OF_TYPE else raw.get("role")
    if not isinstance(key, str) or key not in TYPE_OF_ROLE:
        raise MessageError(
            f"{where}: needs 'type' (human, ai, system, tool) or 'role' (user, assistant, system, tool)"
        )
    return TYPE_OF_ROLE[key]


def normalise(raw: Any, where: str = "messages[0]") -> StoredMessage:
    """One message in the stored shape; an id is made up when the client sent none."""
    if isinstance(raw, str):
        raw = {"type": "human", "content": raw}  # LangGraph accepts a bare string as a human turn
    if not isinstance(raw, Mapping):
        raise MessageError(f"{where}: expected an object with 'type' or 'role' and 'content'")
    kind = message_type(raw, where)
    ident = raw.get("id")
    out: StoredMessage = {
        "type": kind, "role": ROLE_OF_TYPE[kind], "id": ident if isinstance(ident, str) and ident else new_id(),
        "content": text_of(raw.get("content"), where),
    }
    if isinstance(raw.get("tool_call_id"), str):
        out["tool_call_id"] = raw["tool_call_id"]
    return out


def is_stored(raw: Any) -> bool:
    """Already in the stored shape (as every message read back from a checkpoint is)."""
    return (
        type(raw) is dict and isinstance(raw.get("id"), str) and isinstance(raw.get("content"), str)
        and raw.get("role") == ROLE_OF_TYPE.get(raw.get("type"))  # type: ignore[arg-type]
    )


def normalise_all(raw: Any) -> list[StoredMessage]:
    if isinstance(raw, (str, Mapping)):
        raw = [raw]
    if not isinstance(raw, Sequence):
        raise MessageError("messages: expected a list of messages")
    return [normalise(m, f"messages[{i}]") for i, m in enumerate(raw)]


def add_messages(left: Sequence[Any] | None, right: Any) -> list[StoredMessage]:
    """State reducer: normalise new messages; one with an existing id replaces it, others append.

    The stored history is only re-checked, not rebuilt: it is normalised already, and
    rebuilding it made every turn cost more the longer the thread.
    """
    kept = list(left or [])
    merged = kept if all(is_stored(m) for m in kept) else normalise_all(kept)
    index = {m["id"]: i for i, m in enumerate(merged)}
    for message in normalise_all(right if right is not None else []):
        if message["id"] in index:
            merged[index[message["id"]]] = message
        else:
            index[message["id"]] = len(merged)
            merged.append(message)
    return merged


def to_chat(messages: Sequence[StoredMessage]) -> list[ChatMessage]:
    """The gateway's view of stored messages."""
    return [ChatMessage(role=m["role"], content=m["content"]) for m in messages]
