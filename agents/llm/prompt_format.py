"""Completion-style prompts for base (non-chat) models such as Gemma 3 270M.

A base model has never seen chat markup, so a chat template makes it ramble or echo.
A plain transcript with "Question:"/"Answer:" turns is the format its pre-training text
contains most, and it reliably produces an answer and then a new "Question:" we stop on.
"""

from __future__ import annotations

from .types import ChatMessage

USER_PREFIX = "Question:"
ASSISTANT_PREFIX = "Answer:"
#: One worked exchange shows a base model that an answer follows on the same line (used when
#: there is no system prompt; personas put a task-shaped example in theirs); without it
#: Gemma 3 270M often starts a new "Answer:" line and loops (measured: empty or looping answers
#: for "Name three primary colours." at temperature 0 without it, "red, blue and yellow." with it).
PRIMER = (
    f"{USER_PREFIX} What is the largest planet in the solar system?\n"
    f"{ASSISTANT_PREFIX} Jupiter is the largest planet in the solar system."
)
#: "\nAnswer:" is deliberately not a stop: chain-of-thought prompts end with an "Answer:" line.
TURN_STOPS = ["\nQuestion:", "\n\nQuestion", "\nUser:", "\n\n\n"]


def render_completion_prompt(messages: list[ChatMessage]) -> str:
    """Render chat turns as a Q/A transcript ending with an open answer.

    A single user turn with no system text is passed through raw when it is a sentence
    fragment (`ask "The capital of France is"` continues it) or a multi-line prompt that
    ends in a newline (few-shot prompts such as Tree of Thoughts' "Possible next steps:").
    """
    if len(messages) == 1 and messages[0].role == "user":
        text = messages[0].content
        if is_continuation(text) or is_completion_prompt(text):
            return text
    system = [m.content.strip() for m in messages if m.role == "system"]
    # The primer is for plain one-line questions. With a system prompt, or a multi-line
    # (few-shot, chain-of-thought) prompt, the caller has set the format, and a primer would
    # only leak its own content into the answer.
    plain = all("\n" not in m.content.strip() for m in messages if m.role == "user")
    blocks: list[str] = system or ([PRIMER] if plain else [])
    for message in messages:
        text = message.content.strip()
        if message.role == "system":
            continue
        if message.role == "user":
            blocks.append(f"{USER_PREFIX} {text}")
        elif message.role == "assistant":
            blocks[-1] += f"\n{ASSISTANT_PREFIX} {text}"
        else:
            blocks.append(f"Observation: {text}")
    # the answer line follows its question directly: the model then answers rather than rambles
    return "\n\n".join(blocks) + f"\n{ASSISTANT_PREFIX}"


def is_completion_prompt(text: str) -> bool:
    """A multi-line prompt ending in a newline is written to be continued (few-shot, ToT)."""
    return text.endswith("\n") and "\n" in text.rstrip("\n")


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
