"""Finding the reference: quiz answer, computation, explanation sentences, or nothing."""

from __future__ import annotations

import pytest

from agents.grading.reference import _registry_concepts, choose_concept, find_reference, match_quiz
from tools.concepts import get_concept

from .conftest import NEURON_QUESTION


def test_a_quiz_question_gets_its_answer_and_computed_values() -> None:
    ref = find_reference(NEURON_QUESTION)
    assert ref is not None and ref.concept == "neuron" and ref.quiz_index == 0 and ref.kind == "numeric"
    assert ref.computed is not None and ref.expected == pytest.approx((-0.7, 0.33181), abs=1e-4)
    assert ref.rejected == (0.669,)


def test_a_question_with_other_values_is_not_the_quiz_question() -> None:
    concept = get_concept("bradley_terry")
    assert match_quiz(concept, "If r_a − r_b = ln 3, what is P(a preferred to b)?") == 0
    assert match_quiz(concept, "If r_a − r_b = 0, what is P(a preferred to b)?") is None


def test_a_set_question_is_computed_from_its_own_values() -> None:
    ref = find_reference("With apple 0.5, banana 0.3, cherry 0.2 and top-p with p = 0.8, which tokens are kept?")
    assert ref is not None and ref.kind == "set" and ref.expected_set == {"apple", "banana"}


def test_without_a_quiz_match_the_best_sentences_and_corrections_are_the_reference() -> None:
    ref = find_reference("Which standard deviation does LayerNorm divide by?")
    assert ref is not None and ref.quiz_index is None and ref.kind == "text"
    assert "population" in ref.answer  # from the erratum's correction, its quoted wrong claim removed


def test_a_claim_without_a_question_is_matched_on_its_words() -> None:
    ref = find_reference("", answer="RMSNorm subtracts the mean.")
    assert ref is not None and ref.claim and ref.concept == "normalization"


def test_a_lesson_quiz_item_identifies_its_concept() -> None:
    item = get_concept("softmax").quiz[1]
    ref = find_reference("How does temperature near zero change softmax?", quiz_item=item)
    assert ref is not None and ref.concept == "softmax" and ref.quiz_index == 1 and ref.answer == item.answer


@pytest.mark.parametrize("text", ["What is the capital of France?", "Grade: def r(s): return s[::-1]", "2 + 2 = 4"])
def test_nothing_in_the_course_means_no_reference(text: str) -> None:
    assert choose_concept(text) is None and find_reference(text) is None


def test_the_registry_fallback_ranks_by_names_and_quiz_questions() -> None:
    assert _registry_concepts("Why can we subtract max(z) before exponentiating?")[0][0] == "softmax"
