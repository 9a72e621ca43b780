"""Scripted gateways for grading tests: a judge that answers in the schema, or a model that must not be called."""

from __future__ import annotations

import json

from agents.llm import Gateway
from agents.llm.backends.scripted import ScriptedBackend

#: The judge's prompt starts with its rules; rules match on system + user text.
JUDGE_PROMPT = r"Grade a learner's answer against the reference answer"
NEURON_QUESTION = "For x=(2,3,1), w=(0.5,-1,0.3), b=1 and a sigmoid activation, what are z and y?"


def judge_reply(score: int, verdict: str = "correct", reason: str = "same facts as the reference") -> str:
    return json.dumps({"score": score, "verdict": verdict, "reasons": [reason]})


def judge_gateway(score: int, verdict: str = "correct", *, free_reply: str | None = None) -> Gateway:
    """A model whose judge verdict is always `score`; `free_reply` answers any other prompt."""
    rules = [{"pattern": JUDGE_PROMPT, "response": judge_reply(score, verdict)}]
    if free_reply is not None:
        rules.append({"pattern": ".", "response": free_reply})
    return Gateway(ScriptedBackend(rules))


def silent_gateway() -> tuple[Gateway, ScriptedBackend]:
    """A model with no rules: any call raises, and `backend.prompts` records that it was tried."""
    backend = ScriptedBackend([])
    return Gateway(backend), backend
