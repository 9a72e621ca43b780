"""Word-level helpers: stems, sentences, names and negation scopes."""

from __future__ import annotations

import pytest

from tools.grading.text import (
    affirmed,
    clauses,
    coverage,
    entities,
    formulas,
    negated_text,
    negation_scopes,
    sentences,
    stem,
    strip_interjection,
)


@pytest.mark.parametrize(
    ("forms", "expected"),
    [
        (["subtracts", "subtracted", "subtraction", "subtracting"], "subtract"),
        (["concatenated", "concatenation", "concatenate"], "concaten"),
        (["normalization", "normalises", "normalize"], "normalis"),
        (["bias", "biases"], "bias"),
        (["deterministic", "deterministically"], "deterministic"),
    ],
)
def test_inflections_share_one_stem(forms: list[str], expected: str) -> None:
    assert {stem(f) for f in forms} == {expected}


def test_sentences_keep_decimals_and_citations_whole() -> None:
    text = "Top-p (Holtzman et al. 2019) keeps 0.7 of the mass. It renormalises."
    assert sentences(text) == ["Top-p (Holtzman et al. 2019) keeps 0.7 of the mass.", "It renormalises."]


def test_entities_are_names_not_capitalised_words() -> None:
    assert entities("The RMSNorm and LayerNorm of GPT-3 with Pre-LN, per Zhang") == {
        "rmsnorm",
        "layernorm",
        "gpt-3",
        "pre-ln",
    }


def test_each_negation_covers_its_own_phrase() -> None:
    scopes = negation_scopes("there is no bias and the mean is not subtracted")
    assert scopes == [({"bias"}, set()), ({"subtract"}, {"mean"})]


def test_a_relative_clause_negation_covers_its_antecedent() -> None:
    text = "sigma = 1 is the sample (n-1) standard deviation, which LayerNorm does not use"
    assert "sample (n-1) standard deviation" in negated_text(text)
    assert "sample" not in affirmed(text)


def test_affirmed_text_drops_what_is_negated() -> None:
    text = "It doesn't subtract the mean (no re-centering); it divides by the RMS"
    kept = affirmed(text)
    assert "subtract" not in kept and "centering" not in kept and "divides by the RMS" in kept


def test_clauses_keep_the_sentence_subject() -> None:
    parts = clauses("RMSNorm divides by the RMS; there is no bias and the mean is not subtracted.")
    assert [c.text for c in parts] == ["RMSNorm divides by the RMS", "there is no bias and the mean is not subtracted"]
    assert parts[1].entities == {"rmsnorm", "rms"} and parts[1].negated and "subtract" not in parts[1].asserted


def test_a_leading_yes_or_no_is_an_answer_not_a_negation() -> None:
    assert strip_interjection("No, each neuron has its own bias.") == "each neuron has its own bias."


def test_coverage_counts_the_reference_terms_present() -> None:
    assert coverage("outputs are concatenated", "Their outputs are concatenated and multiplied") == pytest.approx(2 / 3)
    assert coverage("anything", "") == 0.0


def test_formulas_compare_up_to_factor_order_and_signs() -> None:
    assert formulas("O(T·N²).") == formulas("O(N^2 T)") == {"o(n^2*t)"}
    assert formulas("O(N^T), it checks every path") == {"o(n^t)"}
