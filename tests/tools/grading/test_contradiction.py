"""Contradictions between a free-text answer and the reference, phrase by phrase."""

from __future__ import annotations

from tools.concepts import get_concept
from tools.grading.contradiction import (
    answer_polarity,
    arithmetic_errors,
    computed_claims,
    exclusivity,
    expected_polarity,
    find_contradictions,
    known_error_quotes,
    opposed_roles,
    order_flips,
    share_relations,
    swapped_entities,
    verb_roles,
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


def test_saying_of_one_named_thing_what_the_reference_says_of_another() -> None:
    reference = [get_concept("add_and_norm").quiz[1].answer]
    swapped = "Pre-LN normalises after the residual addition, while post-LN normalises the sub-layer's input."
    right = "Post-LN normalises after adding the residual, while pre-LN normalises the sub-layer's input."
    assert [c.kind for c in swapped_entities(swapped, reference)][:1] == ["swapped_term"]
    assert swapped_entities(right, reference) == []


def test_who_maximises_and_who_minimises() -> None:
    reference = [get_concept("gan_1d").quiz[0].answer]
    assert verb_roles(reference[0]) == {"g": {"minim"}, "d": {"maxim"}}
    assert len(opposed_roles("V is maximised by G and minimised by D.", reference)) == 2
    assert opposed_roles("D maximises V and G minimises it.", reference) == []


def test_after_where_the_reference_says_before_the_same_thing() -> None:
    reference = [get_concept("attention").quiz[1].answer]
    assert order_flips("After the softmax the future weights are set to zero.", reference)
    assert order_flips("They are set to minus infinity before the softmax.", reference) == []


def test_plain_arithmetic_is_checked() -> None:
    assert [c.reason for c in arithmetic_errors("d_head = 512 / 8 = 32")] == ["512 / 8 is 64, not 32"]
    assert arithmetic_errors("3 x (0.5 + 0.3) = 2.4 and 20 + 1 + 20 = 41") == []


def test_both_where_the_reference_says_only() -> None:
    reference = get_concept("ibm_model1").quiz[1].answer
    assert exclusivity("Both the translation table and the alignment probabilities.", reference)
    assert exclusivity("Just t(f|e); the alignments are uniform.", reference) == []
