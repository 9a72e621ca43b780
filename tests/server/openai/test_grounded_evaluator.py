"""The grounded evaluator through the OpenAI API: `model="evaluator"` on /v1/chat/completions."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from openai import OpenAI

from ..helpers import running_server

JUDGE = json.dumps({"score": 10, "verdict": "correct", "reasons": ["same facts as the reference"]})
RULES = [
    {"pattern": "Grade a learner's answer against the reference answer", "response": JUDGE},
    {"pattern": "strict evaluator", "response": "SCORE: 9\nREASONS:\n- looks right"},
    {"pattern": ".", "response": "no scripted answer"},
]
RMSNORM = "Grade this answer to 'What does RMSNorm do differently from LayerNorm?': RMSNorm subtracts the mean."
NEURON = (
    "Grade this answer to 'For x=(2,3,1), w=(0.5,-1,0.3), b=1 and a sigmoid activation, what are z and y?': "
    "z = -0.7, y = 0.332"
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenAI]:
    tmp = tmp_path_factory.mktemp("grounded-evaluator")
    rules = tmp / "rules.json"
    rules.write_text(json.dumps(RULES))
    with running_server(tmp, THINKROOM_BACKEND="scripted", THINKROOM_SCRIPTED_RULES=str(rules)) as url:
        yield OpenAI(base_url=f"{url}/v1", api_key="x", max_retries=0, timeout=120)


def ask(client: OpenAI, content: str) -> str:
    completion = client.chat.completions.create(model="evaluator", messages=[{"role": "user", "content": content}])
    assert completion.model == "evaluator"
    return completion.choices[0].message.content or ""


def test_a_contradiction_never_gets_full_marks_even_when_the_model_would_give_them(client: OpenAI) -> None:
    text = ask(client, RMSNORM)
    assert text.startswith("SCORE: 2\nREASONS:\n- contradicts the reference")
    assert "the mean is not subtracted" in text


def test_a_correct_computed_answer_gets_ten(client: OpenAI) -> None:
    assert ask(client, NEURON) == "SCORE: 10\nREASONS:\n- states -0.7, 0.3318, matching the reference"


def test_the_stream_carries_the_same_grade(client: OpenAI) -> None:
    stream = client.chat.completions.create(
        model="evaluator", messages=[{"role": "user", "content": RMSNORM}], stream=True
    )
    streamed = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert streamed == ask(client, RMSNORM)


def test_a_task_the_course_cannot_check_is_left_to_the_model(client: OpenAI) -> None:
    assert ask(client, "Grade this haiku: autumn moonlight.") == "SCORE: 9\nREASONS:\n- looks right"
