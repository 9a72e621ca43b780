"""Completion-style prompts for base (non-chat) models such as Gemma 3 270M.

A base model has never seen chat markup, so a chat template makes it ramble or echo.
A plain transcript with "Question:"/"Answer:" turns is the format its pre-training text
contains most, and it reliably produces an answer and then a new "Question:" we stop on.
"""

from __future__ import annotations

from .types import ChatMessage

USER_PREFIX = "Question:"
ASSISTANT_PREFIX = "Answer:"
TURN_STOPS = ["\nQuestion:", "\n\nQuestion", "\nUser:", "\n\n\n"]


def render_completion_prompt(messages: list[ChatMessage]) -> str:
    """Render chat turns as a Q/A transcript ending with an open answer.

    A single user turn with no system text and no trailing punctuation is passed through
    raw, so `ask "The capital of France is"` continues the sentence as a user expects.
    """
    if len(messages) == 1 and messages[0].role == "user" and is_continuation(messages[0].content):
        return messages[0].content
    parts: list[str] = []
    for message in messages:
        text = message.content.strip()
        if message.role == "system":
            parts.append(text)
        elif message.role == "user":
            parts.append(f"{USER_PREFIX} {text}")
        elif message.role == "assistant":
            parts.append(f"{ASSISTANT_PREFIX} {text}")
        else:
            parts.append(f"Observation: {text}")
    parts.append(ASSISTANT_PREFIX)
    return "\n\n".join(parts)


def is_continuation(text: str) -> bool:
    """True for a sentence fragment to continue rather than a question to answer."""
    stripped = text.rstrip()
    return bool(stripped) and stripped[-1] not in "?.!:;\n" and "\n" not in stripped


def stops_for(messages: list[ChatMessage], extra: list[str] | None) -> list[str]:
    """Stop sequences: the caller's plus the transcript's turn markers."""
    stops = list(extra or [])
    if render_completion_prompt(messages) != messages[-1].content:
        stops.extend(TURN_STOPS)
    else:
        stops.extend(["\n\n"])
    return stops
