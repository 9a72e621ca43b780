"""Contradictions between a free-text answer and the reference, phrase by phrase."""

from __future__ import annotations

from tools.concepts import get_concept
from tools.grading.contradiction import (
    answer_polarity,
    computed_claims,
    expected_polarity,
    find_contradictions,
    known_error_quotes,
    share_relations,
)


def contradictions(concept: str, question: str, answer: str, reference_answer: str = "") -> list[str]:
    found = get_concept(concept)
    if not reference_answer:
        reference_answer = next((q.answer for q in found.quiz if q.question == question), "")
    return [
        c.kind
        for c in find_contradictions(
            answer, question, reference_answer=reference_answer, context=[found.explanation], errata=found.notes_errata
        )
    ]


def test_rmsnorm_subtracting_the_mean_contradicts_the_reference() -> None:
    question = "What does RMSNorm do differently from LayerNorm?"
    assert "negated_claim" in contradictions("normalization", question, "RMSNorm subtracts the mean.")
    assert contradictions("normalization", question, "RMSNorm does not subtract the mean; it divides by the RMS.") == []
    assert contradictions("normalization", question, "LayerNorm subtracts the mean but RMSNorm does not.") == []


def test_a_yes_no_answer_the_other_way_is_a_contradiction() -> None:
    question = "Is the bias shared by all neurons in a layer?"
    assert "polarity" in contradictions("neuron", question, "Yes, every neuron uses the same bias.")
    assert contradictions("neuron", question, "No, each neuron has its own bias.") == []
    assert expected_polarity(question, "No. Each neuron has its own bias") is False
    assert answer_polarity("Are RoPE's angles learned?", "They are fixed, not learned.") is None
    assert answer_polarity("Are RoPE's rotation angles learned?", "The rotation angles are not learned.") is False


def test_exceeds_is_not_at_least() -> None:
    question = "When does top-p sampling stop adding tokens to the nucleus?"
    assert "swapped_term" in contradictions("sampling", question, "When the cumulative probability exceeds p.")
    assert contradictions("sampling", question, "Once the cumulative probability is at least p.") == []


def test_sample_is_not_population_standard_deviation() -> None:
    question = "Which standard deviation does LayerNorm divide by?"
    wrong = contradictions("normalization", question, "The sample standard deviation, dividing by n - 1.")
    assert "swapped_term" in wrong
    assert contradictions("normalization", question, "The population standard deviation, dividing by H.") == []


def test_swapped_sum_and_max() -> None:
    question = "How does Viterbi differ from the forward algorithm?"
    assert "swapped_term" in contradictions(
        "hmm_viterbi", question, "Viterbi sums over the paths while the forward algorithm takes the max."
    )


def test_swapped_roles_of_what_shares_and_what_is_shared() -> None:
    question = "In grouped-query attention, what is shared within a group?"
    assert "swapped_term" in contradictions(
        "grouped_query_attention", question, "One query head is shared by a group of key/value heads."
    )
    assert (
        contradictions("grouped_query_attention", question, "A group of query heads shares one key/value head.") == []
    )
    assert share_relations("query heads share one key/value head") == [({"query"}, {"key", "valu"})]


def test_repeating_an_erratum_of_the_notes() -> None:
    quotes = known_error_quotes(get_concept("activation").notes_errata, [get_concept("activation").explanation])
    assert "GeLU (Generalized Error Linear Unit) introduced in GPT-3" in quotes
    question = "Which activation do GPT-2 and GPT-3 use?"
    assert "known_error" in contradictions(
        "activation", question, "GPT-3 uses a new GeLU, the Generalized Error Linear Unit."
    )


def test_a_number_that_disagrees_with_the_reference_clause() -> None:
    question = "What is the Markov assumption of a trigram model?"
    assert "number" in contradictions("ngram_lm", question, "Each word depends on the previous three words.")
    assert contradictions("ngram_lm", question, "Each word depends only on the two words before it.") == []


def test_a_named_quantity_with_the_wrong_value() -> None:
    computed = {"perplexity": 4.0, "cross_entropy_bits": 2.0, "cross_entropy_nats": 1.386}
    assert [c.kind for c in computed_claims("The perplexity is 4, since the cross-entropy is 4 bits.", computed)] == [
        "number"
    ]
    assert computed_claims("4, because the cross-entropy is 2 bits.", computed) == []
