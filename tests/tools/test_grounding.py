"""Pure grounding helpers: numbers in questions, readable headlines, scaffolding echoes, word similarity."""

from __future__ import annotations

import pytest

from tools.concepts import get_concept
from tools.grounding import fmt_number, headline, is_scaffolding, leaf_numbers, numbers_in, ungrounded_numbers
from tools.grounding.numbers import unused_numbers
from tools.grounding.text import content_tokens, similarity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LayerNorm of (3, 4, 5)", [3, 4, 5]),
        ("n=10, c=3, k=5", [10, 3, 5]),
        ("GPT-2 small has 124,439,808 parameters", [124439808]),
        ("probability 1/4 and then 2", [0.25, 2]),
        ("x = -0.7 and eps 1e-5", [-0.7, 1e-5]),
        ("GPT-3's d_model", []),
        ("KL(N(mu, sigma^2) || N(0, 1))", [0, 1]),
    ],
)
def test_numbers_in_reads_values_not_names(text: str, expected: list[float]) -> None:
    assert numbers_in(text) == pytest.approx(expected)


def test_argument_numbers_must_come_from_the_question_and_use_it_all() -> None:
    question = "softmax of (1, 2, 3) at temperature 0.5"
    assert ungrounded_numbers({"logits": [1, 2, 3], "temperature": 0.5}, question) == []
    assert ungrounded_numbers({"logits": [2, 1, 0.1]}, question) == [0.1]
    assert unused_numbers({"logits": [2, 3], "temperature": 0.5}, question) == [1.0]
    assert unused_numbers({"logits": [1, 2, 3], "temperature": 0.5}, question) == []
    assert leaf_numbers({"answers": ["18", "26", "n/a"], "flag": True}) == [18.0, 26.0]


def test_headlines_round_away_float_noise() -> None:
    concept = get_concept("sampling")
    line = headline("sampling", concept.example, concept.execute(concept.example))
    assert "0.9" in line and "0.8999" not in line and "{apple, banana, cherry}" in line
    assert fmt_number(0.8999999999999999) == "0.9"
    assert fmt_number(124439808) == "124,439,808"


def test_every_concept_example_has_a_headline() -> None:
    from tools.concepts import list_concepts

    for concept in list_concepts():
        line = headline(concept.name, concept.example, concept.execute(concept.example))
        assert line.endswith(".") and len(line) > 10, concept.name


@pytest.mark.parametrize(
    "echo",
    [
        "Thought: I should use a tool\nAction: concept_sampling",
        "the final answer to the task, this is your job. Answer: the correct answer to the task, this is your job!",
        "Final Answer: your job depends on it",
        "Action: 1. Answer the task in your own words",
        "",
    ],
)
def test_scaffolding_echoes_are_recognised(echo: str) -> None:
    assert is_scaffolding(echo)


def test_real_answers_are_not_scaffolding() -> None:
    assert not is_scaffolding("Top-p keeps the smallest set of tokens whose cumulative probability is at least p.")
    assert not is_scaffolding("**Answer.** GELU(1) = 0.8413447.\n\n**Explanation.** GELU weights x by Φ(x).")


def test_similarity_understands_greek_letters_and_possessives() -> None:
    assert content_tokens("μ and σ") == content_tokens("mu and sigma")
    assert similarity("stages of InstructGPT's pipeline", "stages of InstructGPT") > 0.6
    assert similarity("What is the capital of France?", "What is GELU(1)?") < 0.3


def test_a_number_glued_to_a_unit_or_a_name_is_not_read_as_its_leading_digits() -> None:
    assert numbers_in("Is the GPT-3 batch size 3.2M sequences?") == []  # not 3 (from "3.2M") for every argument
    assert numbers_in("3.5 and 4, then stop at 3.") == [3.5, 4.0, 3.0]
