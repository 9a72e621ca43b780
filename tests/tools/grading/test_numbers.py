"""Numbers in text and their comparison with reference values."""

from __future__ import annotations

import pytest

from tools.concepts import get_concept
from tools.grading.numbers import check_numbers, claimed_value, close, extract_numbers, rejected_values, stated_results


def values(text: str) -> list[float]:
    return [n.value for n in extract_numbers(text) if not n.negated]


def test_forms_a_learner_writes_become_values() -> None:
    assert values("3/4, 30%, 618 million, 617.6M, 12,288 and -0.7") == pytest.approx(
        [0.75, 0.3, 618e6, 617.6e6, 12288, -0.7]
    )
    assert values("two words") == [2.0]


def test_names_exponents_and_function_arguments_are_not_values() -> None:
    assert values("GPT-3 uses d_k2 and 4d with pass@1, N^2, ln 4 and sin(1)") == []


def test_a_minus_between_spaces_is_an_operator() -> None:
    assert values("1 - 3 + 0.3 = -0.7") == pytest.approx([1, 3, 0.3, -0.7])


def test_values_under_not_are_marked_negated() -> None:
    found = extract_numbers("≈ 0.332 (not 0.669)")
    assert [(n.value, n.negated) for n in found] == [(0.332, False), (0.669, True)]


def test_close_allows_the_writers_rounding_but_not_a_different_value() -> None:
    [rounded] = extract_numbers("0.33")
    [wrong] = extract_numbers("0.669")
    assert close(rounded, 0.3318) and not close(wrong, 0.3318)
    assert close(0.8458, 0.8413) and not close(0.4375, 0.5)


def test_stated_results_are_chain_ends_tuples_and_a_leading_value() -> None:
    def results(text: str) -> list[float]:
        return [round(n.value, 4) for n in stated_results(text)]

    assert results("z = 1 - 3 + 0.3 + 1 = -0.7 and y = 1/(1+e^0.7) ≈ 0.332 (not 0.669)") == [-0.7, 0.332]
    assert results("μ = 4, σ = sqrt(2/3) ≈ 0.8165, so the output is ≈ (-1.2247, 0, 1.2247).") == [
        4.0, 0.8165, -1.2247, 0.0, 1.2247,
    ]  # fmt: skip
    assert results("64 (d_model / h).") == [64.0]
    assert results("Group size is 8, so kv head 13 // 8 = 1.") == [1.0]
    assert results("12d² + 13d: 4d² + 4d attention") == []


def test_every_quiz_answer_with_a_result_yields_one() -> None:
    """Numeric quiz answers in the concept lab all state at least one result value."""
    answer = get_concept("penalties").quiz[0].answer
    assert [n.value for n in stated_results(answer)] == [1.8]
    assert rejected_values(get_concept("neuron").quiz[0].answer) == [0.669]


def test_check_numbers_finds_matched_missing_and_ruled_out_values() -> None:
    check = check_numbers("z = -0.7 and y = 1/(1+e^-0.7) ≈ 0.669", [-0.7, 0.3318], [0.669])
    assert check.matched == [-0.7] and check.missing == [0.3318] and check.rejected_used == [0.669]
    assert not check.all_matched and check.fraction == 0.5
    assert check_numbers("y ≈ 0.33, not 0.669", [0.3318], [0.669]).rejected_used == []


def test_claimed_value_reads_the_value_given_for_a_name() -> None:
    assert claimed_value("z = 1 - 3 + 0.3 + 1 = -0.7, so y = sigmoid(-0.7) ≈ 0.33", ["y"]).value == 0.33  # type: ignore[union-attr]
    assert claimed_value("the cross-entropy is 4 bits", ["cross", "entropy", "bits"]).value == 4  # type: ignore[union-attr]
    assert claimed_value("the cross-entropy is ln 4 nats", ["cross", "entropy", "nats"]) is None
