"""Merge a capable model's own answer (written with native tool calls) into the grounded reply."""

from __future__ import annotations

import re

from agents.personas import AgentReply
from tools.grounding import is_scaffolding
from tools.grounding.numbers import unsupported_numbers

from .answer import GroundedAnswer

#: A capable model's prose is shown up to this many words; longer replies are cut at a sentence end.
MAX_PROSE_WORDS = 160


def vetted_prose(text: str, answer: GroundedAnswer) -> str | None:
    """The model's answer as prose, if it echoes no scaffolding and quotes only numbers the verified parts hold."""
    text = text.strip()
    if not text or is_scaffolding(text):
        return None
    if unsupported_numbers(text, answer.render()):
        return None
    words = text.split()
    if len(words) > MAX_PROSE_WORDS:
        cut = " ".join(words[:MAX_PROSE_WORDS])
        end = max(cut.rfind(". "), cut.rfind(".\n"))
        text = cut[: end + 1] if end > 0 else cut
    return re.sub(r"\n{3,}", "\n\n", text)


def merge_native_reply(reply: AgentReply, answer: GroundedAnswer) -> AgentReply:
    """The framework's run (steps, usage) with the grounded answer as its text and the model's words as prose."""
    answer.prose = vetted_prose(reply.text, answer)
    return reply.model_copy(update={"text": answer.render(), "grounding": answer.model_dump(mode="json")})


__all__ = ["merge_native_reply", "vetted_prose"]
