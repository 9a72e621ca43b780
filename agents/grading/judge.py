"""The model's part of grading: a constrained verdict on a free-text answer.

The judge sees the question, the reference answer, a short excerpt of the concept's
explanation and the learner's answer, and must reply with JSON matching `JudgeVerdict`:
an integer score 0-10, a verdict and at most two short reasons. The schema goes to the
backend as a grammar (llama.cpp) or `format` (Ollama), so even a 270M base model always
returns parseable output; what it cannot do reliably (spot a contradiction) the
deterministic checks do, and they cap its score.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from agents.llm.gateway import Gateway
from agents.llm.types import ChatMessage, GenerationOptions, Usage

from .text_select import best_sentences

#: Printable ASCII without quotes or backslashes: no escapes for a small model to get wrong.
REASON_PATTERN = r"^[ !#-\[\]-~]{3,90}$"
Reason = Annotated[str, StringConstraints(pattern=REASON_PATTERN, min_length=3, max_length=90)]
Score = Literal[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]

#: Greedy and short: a grade must be reproducible, and the JSON is under 80 tokens.
JUDGE_OPTIONS = GenerationOptions(temperature=0.0, max_tokens=120, seed=7)
#: Characters of explanation in the prompt: the 270M model has 4096 tokens and reads slowly.
EXPLANATION_CHARS = 400


class JudgeVerdict(BaseModel):
    """What the judge must answer, and the JSON schema it is constrained to."""

    score: Score
    verdict: Literal["correct", "partially correct", "incorrect"]
    reasons: list[Reason] = Field(min_length=1, max_length=2)


JUDGE_SCHEMA: dict[str, Any] = JudgeVerdict.model_json_schema()

#: Rules plus two worked examples: a base model follows a pattern it has seen far better than
#: instructions alone (measured on the calibration set: a rules-only prompt gave 0 or 10 almost at
#: random; with the examples it at least recognises answers that say the same as the reference).
JUDGE_SYSTEM = (
    "Grade a learner's answer against the reference answer: 10 if it means the same, 5 if it is "
    "incomplete, 0 if it says something different or contradicts it. Reply with JSON.\n"
    "Question: Is the sky green?\nReference answer: No, it is blue.\nLearner's answer: Yes, it is green.\n"
    '{"score": 0, "verdict": "incorrect", "reasons": ["says green, the reference says blue"]}\n'
    "Question: Is the sky green?\nReference answer: No, it is blue.\nLearner's answer: No, the sky is blue.\n"
    '{"score": 10, "verdict": "correct", "reasons": ["same as the reference"]}'
)


def judge_messages(question: str, reference: str, explanation: str, answer: str) -> list[ChatMessage]:
    """The judge's prompt: rules and examples, then the question, reference, background and answer.

    The background is the explanation's sentences most related to the question, cut to
    EXPLANATION_CHARS, so the prompt stays short for a small model.
    """
    background = best_sentences(explanation, f"{question} {reference}", limit=2) or explanation
    if len(background) > EXPLANATION_CHARS:
        background = background[:EXPLANATION_CHARS].rsplit(" ", 1)[0]
    body = f"Question: {question}\nReference answer: {reference}\nBackground: {background}\nLearner's answer: {answer}"
    return [ChatMessage(role="system", content=JUDGE_SYSTEM), ChatMessage(role="user", content=body)]


#: Sends the judge's messages to a model under JUDGE_SCHEMA; returns the parsed JSON and the call's usage.
JudgeCall = Callable[[list[ChatMessage]], Awaitable[tuple[Any, Usage | None]]]


def gateway_judge(gateway: Gateway, *, model: str | None = None, options: GenerationOptions | None = None) -> JudgeCall:
    """A JudgeCall straight through the gateway's constrained decoding."""
    merged = JUDGE_OPTIONS.merged(options)

    async def call(messages: list[ChatMessage]) -> tuple[Any, Usage | None]:
        result = await gateway.chat(messages, model=model, options=merged, json_schema=JUDGE_SCHEMA)
        return result.parsed, result.usage

    return call


async def run_judge(
    call: JudgeCall, question: str, reference: str, explanation: str, answer: str
) -> tuple[JudgeVerdict, Usage | None]:
    """Ask the judge and validate its JSON (the backend already constrained it to the schema)."""
    parsed, usage = await call(judge_messages(question, reference, explanation, answer))
    return JudgeVerdict.model_validate(parsed), usage


__all__ = [
    "JUDGE_OPTIONS",
    "JUDGE_SCHEMA",
    "JUDGE_SYSTEM",
    "JudgeCall",
    "JudgeVerdict",
    "gateway_judge",
    "judge_messages",
    "run_judge",
]
