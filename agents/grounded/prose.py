"""The one thing the model writes in a grounded answer: a short connecting sentence, kept only if it is sound."""

from __future__ import annotations

import re

from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions
from tools.grounding import is_scaffolding
from tools.grounding.text import content_tokens, sentences

PROSE_OPTIONS = GenerationOptions(temperature=0.0, max_tokens=60, seed=0, stop=["\n"])
MIN_WORDS, MAX_WORDS = 6, 45
#: Content words the sentence may add beyond the verified text (connecting words such as 'so', 'here').
MAX_NEW_WORDS = 2


def prose_prompt(question: str, direct: str, explanation: str | None) -> str:
    """A completion prompt: the verified facts, then an open sentence for the model to finish."""
    lead = sentences(explanation or "")[:1]
    facts = " ".join([*lead, direct])
    return f"Facts: {facts}\nA learner asked: {question}\nOne plain sentence that helps the learner:\n"


def acceptable_prose(text: str, grounded: str, question: str) -> str | None:
    """The sentence if it is real prose that adds nothing unverified, else None.

    Rejected: scaffolding echoes, numbers that the verified parts do not contain, copies of
    the question, fragments, run-ons and anything that is not a sentence.
    """
    first = sentences(text.strip())[:1]
    if not first:
        return None
    sentence = first[0].strip()
    words = sentence.split()
    if not (MIN_WORDS <= len(words) <= MAX_WORDS) or is_scaffolding(sentence):
        return None
    if not re.search(r"[.!]$", sentence) or re.search(r"[`{}<>\[\]|#*_]", sentence):
        return None
    if re.search(r"\d", sentence):  # numbers come only from the verified parts, never from the model
        return None
    if content_tokens(sentence) <= content_tokens(question):  # says nothing beyond the question
        return None
    if len(content_tokens(sentence) - content_tokens(grounded)) > MAX_NEW_WORDS:
        return None  # a claim the verified parts do not make: a small model's prose is not trusted with facts
    return sentence


async def connecting_prose(gateway: Gateway, question: str, direct: str, explanation: str | None) -> str | None:
    """Ask the model for one sentence; None when it writes something unsound (backend faults propagate)."""
    result = await gateway.chat(prose_prompt(question, direct, explanation), options=PROSE_OPTIONS)
    return acceptable_prose(result.text, f"{direct} {explanation or ''}", question)


__all__ = ["acceptable_prose", "connecting_prose", "prose_prompt"]
