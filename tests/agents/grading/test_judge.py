"""The judge's schema and prompt."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from agents.grading import JUDGE_SCHEMA, JudgeVerdict, judge_messages
from tools.concepts import get_concept


def test_the_schema_bounds_every_field() -> None:
    properties = JUDGE_SCHEMA["properties"]
    assert properties["score"]["enum"] == list(range(11))
    assert properties["verdict"]["enum"] == ["correct", "partially correct", "incorrect"]
    assert properties["reasons"]["maxItems"] == 2 and properties["reasons"]["items"]["maxLength"] == 90
    assert JUDGE_SCHEMA["required"] == ["score", "verdict", "reasons"]


def test_out_of_schema_verdicts_are_rejected() -> None:
    JudgeVerdict.model_validate({"score": 7, "verdict": "correct", "reasons": ["fine answer here"]})
    for bad in (
        {"score": 11, "verdict": "correct", "reasons": ["x y z"]},
        {"score": 5, "verdict": "maybe", "reasons": ["x y z"]},
        {"score": 5, "verdict": "correct", "reasons": ['has a "quote"']},
    ):
        with pytest.raises(ValidationError):
            JudgeVerdict.model_validate(bad)


def test_the_prompt_holds_the_four_texts_and_stays_short() -> None:
    concept = get_concept("normalization")
    messages = judge_messages("What does RMSNorm drop?", concept.quiz[1].answer, concept.explanation, "the mean")
    body = messages[-1].content
    assert messages[0].role == "system" and json.loads(messages[0].content.splitlines()[4])["score"] == 0
    assert "Question: What does RMSNorm drop?" in body and "Learner's answer: the mean" in body
    assert concept.quiz[1].answer in body and "Background: " in body
    assert len(body) < len(concept.explanation) + 300  # only the explanation's most related sentences, capped
