"""The tutor through `/v1/chat/completions`, the way an OpenAI client uses it (scripted server)."""

from __future__ import annotations

import pytest
from openai import OpenAI

from tools.grounding import is_scaffolding


def test_the_tutor_answers_with_computed_values_streamed_or_not(client: OpenAI) -> None:
    messages = [{"role": "user", "content": "What is pass@k for n = 10 samples, c = 3 correct and k = 5?"}]
    completion = client.chat.completions.create(model="tutor", messages=messages)  # type: ignore[arg-type]
    text = completion.choices[0].message.content or ""
    assert text.startswith("**Answer.** pass@5 for n = 10, c = 3") and "0.9167" in text.split("\n\n")[0]
    assert "**Sources.** concept `pass_at_k`" in text and not is_scaffolding(text)
    streamed = client.chat.completions.create(model="tutor", messages=messages, stream=True)  # type: ignore[arg-type]
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == text


def test_the_tutor_says_where_the_notes_are_wrong(client: OpenAI) -> None:
    question = "The notes say GPT-3's embedding has 12888 elements per token. Is that correct?"
    completion = client.chat.completions.create(model="tutor", messages=[{"role": "user", "content": question}])
    text = completion.choices[0].message.content or ""
    assert text.startswith("**The notes are wrong here.** Line 795") and "12288" in text.split("\n\n")[0]


def test_a_follow_up_uses_the_conversation(client: OpenAI) -> None:
    messages = [
        {"role": "user", "content": "What is the LayerNorm of (3, 4, 5)?"},
        {"role": "assistant", "content": "LayerNorm(3, 4, 5) = (-1.225, 0, 1.225)."},
        {"role": "user", "content": "and of (2, 4, 6)?"},
    ]
    completion = client.chat.completions.create(model="tutor", messages=messages)  # type: ignore[arg-type]
    assert "LayerNorm(2, 4, 6) = (-1.225, 0, 1.225)" in (completion.choices[0].message.content or "")


@pytest.mark.parametrize(
    ("question", "opening", "must"),
    [
        ("The notes say MT-Bench has 160 questions. Is that right?", "**The notes are wrong here.** Line 1561", "80"),
        (
            "The notes say GELU uses the expected value of a rectified Gaussian. Is that correct?",
            "**The notes are wrong here.** Line 1334 (wrong)",
            "Bernoulli",
        ),
        (
            "The notes say the position-wise feedforward network captures relationships between tokens. Is that right?",
            "**The notes are wrong here.** Lines 572/574 (wrong)",
            "only by attention",
        ),
        (
            "The notes say greedy decoding and beam search are sampling techniques. Is that correct?",
            "**The notes are wrong here.** Lines 580-582 (wrong)",
            "Holtzman",
        ),
        (
            "The notes say LLaMA 2 introduced rotary positional embeddings. Is that correct?",
            "**The notes are imprecise here.** Line 1357 (imprecise)",
            "LLaMA 1",
        ),
        (
            "Is the notes' openai.ChatCompletion.create code still working?",
            "**The notes' code is outdated here.** Lines 1771-1779 (outdated)",
            "APIRemovedInV1",
        ),
        (
            "The notes say the GPT-3.5 average in the benchmark table is 65.46%. Is that right?",
            "**The notes are wrong here.** Lines 1594/1603 (wrong)",
            "60.23",
        ),
        (
            "The notes say the cot_steps list has three steps. Is that right?",
            "**The notes are wrong here.** Lines 1719-1723 (wrong)",
            "2 elements",
        ),
    ],
)
def test_the_tutor_cites_the_second_audits_errata(client: OpenAI, question: str, opening: str, must: str) -> None:
    completion = client.chat.completions.create(model="tutor", messages=[{"role": "user", "content": question}])
    text = completion.choices[0].message.content or ""
    first = text.split("\n\n")[0]
    assert text.startswith(opening) and must in first
    assert "**Sources.**" in text and "notes lines" in text
