"""The grounded tutor on the scripted model: right answers come from the concept lab, not the model."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agents.grounded.arguments import extract_arguments, extraction_schema
from agents.grounded.tutor import answer_question, route_question
from agents.llm import Gateway
from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.types import ChatMessage
from tools.concepts import get_concept


def scripted(rules: list[dict[str, Any]], capabilities: list[str] | None = None) -> tuple[Gateway, ScriptedBackend]:
    backend = ScriptedBackend(rules, capabilities=capabilities)
    return Gateway(backend), backend


async def test_values_the_question_determines_need_no_model_call() -> None:
    gateway, backend = scripted([])  # any model call would fail: there is no rule
    answer = await answer_question("What is the softmax of the logits (1, 2, 3) at temperature 0.5?", gateway)
    assert answer.computation is not None
    assert answer.computation.arguments == {"logits": [1.0, 2.0, 3.0], "temperature": 0.5}
    assert answer.direct_source == "computation"
    assert "0.8668" in answer.direct and "0.1173" in answer.direct
    assert backend.prompts == []


async def test_an_ambiguous_reading_is_a_constrained_choice_by_the_model() -> None:
    question = "Apply top-k sampling with k = 2 to cat: 0.5, dog: 0.3, fish: 0.2. Which tokens remain?"
    reading = {"probs": {"cat": 0.5, "dog": 0.3, "fish": 0.2}, "method": "top_k", "k": 2}
    gateway, backend = scripted([{"pattern": "Copy the values", "response": json.dumps(reading)}])
    answer = await answer_question(question, gateway)
    assert len(backend.prompts) == 1 and "Copy the values" in backend.prompts[0]
    assert answer.computation is not None and answer.computation.source == "question"
    assert "{cat, dog}" in answer.direct and "fish" not in answer.direct


async def test_a_reading_outside_the_choices_is_refused_and_the_example_is_used_and_said() -> None:
    # c > n: no reading of the question validates, so the model fills freely, twice, and fails twice
    question = "What is pass@k for n = 3 samples, c = 10 correct and k = 5?"
    gateway, backend = scripted([{"pattern": "Copy the values", "response": '{"n": 3, "c": 10, "k": 5}'}])
    concept = get_concept("pass_at_k")
    extraction = await extract_arguments(gateway, concept, question)
    assert extraction.source == "example" and extraction.arguments == concept.example
    assert extraction.attempts == 2 and len(backend.prompts) == 2
    assert "That is wrong" in backend.prompts[1]  # the repair shows the model its problems
    answer = await answer_question(question, gateway)
    assert "could not read valid values" in answer.render()


async def test_invented_numbers_are_caught_even_when_they_validate() -> None:
    question = "What is the RMSNorm of x = (1, 2, 3)?"
    schema = extraction_schema(get_concept("normalization"), question)
    assert schema["properties"]["kind"]["enum"] == ["rmsnorm"]  # the question names it
    assert [3.0, 4.0, 5.0] not in schema["properties"]["x"]["enum"]  # the example's values are not on offer


async def test_notes_questions_get_the_erratum_with_its_lines() -> None:
    gateway, _ = scripted([])
    answer = await answer_question(
        "The notes say top-p keeps tokens until the cumulative probability exceeds p. Is that right?", gateway
    )
    assert answer.direct.startswith("**The notes are imprecise here.** Lines 1184-1190 (imprecise)")
    assert ">= p" in answer.direct
    erratum = next(c for c in answer.citations if c.kind == "erratum")
    assert (erratum.line_start, erratum.line_end) == (1184, 1190)
    assert answer.computation is None  # the question's numbers are the notes' claims, not inputs


async def test_reference_answers_and_explanations_answer_conceptual_questions() -> None:
    gateway, backend = scripted([])
    answer = await answer_question("What does RMSNorm drop compared with LayerNorm?", gateway)
    assert answer.direct_source == "quiz" and "mean subtraction" in answer.direct
    rendered = answer.render()
    order = [
        rendered.index(part)
        for part in ("**Answer.**", "**Explanation.**", "**Where the notes are ", "**Sources.**")
    ]
    assert order == sorted(order)
    assert "**Where the notes are wrong or imprecise.**" in rendered  # RMSNorm's errata are of both kinds
    assert "notes lines" in rendered and backend.prompts == []


async def test_questions_outside_the_course_are_declined_not_guessed() -> None:
    gateway, backend = scripted([])
    for question in ("What is the capital of France?", "Write a poem about cats", "Grade this answer: 2 + 2 = 4"):
        answer = await answer_question(question, gateway)
        assert answer.concept is None and "only answer from the course" in answer.direct
    assert backend.prompts == []


def test_a_follow_up_borrows_the_topic_of_the_previous_question() -> None:
    history = [ChatMessage(role="user", content="Explain top-p with an example")]
    assert route_question("and with p = 0.9 for 0.5, 0.3, 0.2?", history).concept == "sampling"


@pytest.mark.parametrize(
    "echo", ["Thought: I will answer\nFinal Answer: your job depends on it", "The answer is 0.123456."]
)
async def test_a_capable_models_prose_is_vetted(echo: str) -> None:
    """Prose with scaffolding or numbers the verified parts do not hold is dropped; the verified parts stay."""
    from agents.grounded.native import vetted_prose

    gateway, _ = scripted([])
    answer = await answer_question("What is GELU(1)?", gateway, write_prose=False)
    assert vetted_prose(echo, answer) is None
    assert vetted_prose("GELU weights its input by the probability that a standard normal is below it.", answer)


async def test_a_broad_question_is_not_answered_by_a_narrow_quiz_item() -> None:
    gateway, _ = scripted([])
    answer = await answer_question("What is attention?", gateway)
    assert answer.direct_source == "explanation" and "weighted average of value vectors" in answer.direct
    assert "√d_k;" not in answer.direct.split(".")[0]  # not the quiz's answer about scaling


async def test_unnamed_probabilities_are_read_in_order_without_a_model() -> None:
    gateway, backend = scripted([])
    answer = await answer_question("top-k with k=3 on 0.5, 0.2, 0.2, 0.1", gateway)
    assert answer.computation is not None and answer.computation.arguments["probs"] == {
        "t1": 0.5,
        "t2": 0.2,
        "t3": 0.2,
        "t4": 0.1,
    }
    assert "keeps {t1, t2, t3}" in answer.direct and backend.prompts == []


async def test_explanation_sentences_favour_the_rare_words_of_the_question() -> None:
    gateway, _ = scripted([])
    answer = await answer_question("What is temperature in sampling?", gateway)
    assert "Temperature T rescales log-probabilities" in answer.direct


def test_the_errata_heading_claims_only_the_kinds_its_items_have() -> None:
    from agents.grounded.answer import errata_heading

    wrong = "Line 451 (wrong): the notes say 0.669."
    imprecise = "Line 1184-1190 (imprecise): 'exceeds' differs only at a tie."
    outdated = "Line 1771-1779 (outdated): openai.ChatCompletion was removed."
    assert errata_heading([wrong]) == "Where the notes are wrong."
    assert errata_heading([imprecise]) == "Where the notes are imprecise."
    assert errata_heading([wrong, imprecise]) == "Where the notes are wrong or imprecise."
    assert errata_heading([imprecise, outdated, wrong]) == "Where the notes are wrong, imprecise or outdated."
