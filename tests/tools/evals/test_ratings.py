"""Bradley–Terry ratings for the arena: hand-computed optima, ties as half wins, seeded bootstrap intervals."""

from __future__ import annotations

import math

import pytest

from tools.concepts.rlhf import BradleyTerryInput, run_bradley_terry
from tools.evals.ratings import PRIOR_PRECISION, Outcome, comparisons, elo, fit, rate, win_probability


def wins(a: str, b: str, n: int) -> list[Outcome]:
    return [Outcome(a, b, 1.0)] * n


def test_three_wins_to_one_without_a_prior_is_the_mle_ln3_apart() -> None:
    # maximise 3 log σ(Δ) + log σ(−Δ): σ(Δ) = 3/4, so Δ = ln 3 and the Elo gap is 400·log10(3) ≈ 190.85
    outcomes = wins("a", "b", 3) + wins("b", "a", 1)
    beta = fit(["a", "b"], outcomes, prior=0.0)
    assert beta["a"] - beta["b"] == pytest.approx(math.log(3), abs=1e-6)
    assert beta["a"] == pytest.approx(-beta["b"], abs=1e-12)  # centred
    assert elo(beta["a"]) - elo(beta["b"]) == pytest.approx(400 * math.log10(3), abs=1e-4)


def test_a_tie_counts_as_half_a_win_each_way() -> None:
    # one win and one tie: a scored 1.5 of 2, the same proportion as 3 wins to 1
    outcomes = [Outcome("a", "b", 1.0), Outcome("a", "b", 0.5)]
    beta = fit(["a", "b"], outcomes, prior=0.0)
    assert beta["a"] - beta["b"] == pytest.approx(math.log(3), abs=1e-6)
    assert comparisons(outcomes) == [("a", "b"), ("a", "b"), ("a", "b"), ("b", "a")]


def test_symmetric_ties_and_a_symmetric_cycle_give_equal_ratings() -> None:
    ties = [Outcome("a", "b", 0.5)] * 4 + [Outcome("b", "c", 0.5)] * 2
    rated = rate(["a", "b", "c"], ties, rounds=50, seed=1)
    assert {r.contestant: round(r.elo, 9) for r in rated.ratings} == {"a": 1000.0, "b": 1000.0, "c": 1000.0}
    assert rated.of("b").ties == 6 and rated.of("a").wins == 0
    cycle = [Outcome("a", "b", 1.0), Outcome("b", "c", 1.0), Outcome("c", "a", 1.0)]
    beta = fit(["a", "b", "c"], cycle)
    assert max(beta.values()) == pytest.approx(0.0, abs=1e-9) and min(beta.values()) == pytest.approx(0.0, abs=1e-9)


def test_an_unbeaten_contestant_stays_finite_at_the_priors_optimum() -> None:
    # 20 wins: maximise 20 log σ(Δ) − λΔ²/4 (β = ±Δ/2); solve 20(1 − σ(Δ)) = λΔ/2 by bisection, by hand
    n, lam = 20, PRIOR_PRECISION
    low, high = 0.0, 50.0
    for _ in range(200):
        mid = (low + high) / 2
        if n * (1 - 1 / (1 + math.exp(-mid))) - lam * mid / 2 > 0:
            low = mid
        else:
            high = mid
    beta = fit(["a", "b"], wins("a", "b", n))
    assert beta["a"] - beta["b"] == pytest.approx(low, abs=1e-5)
    assert 4.4 < low < 4.6  # ≈ 780 Elo points: decisive, and finite


def test_the_fit_is_the_concept_labs_on_the_doubled_comparisons() -> None:
    outcomes = [*wins("x", "y", 2), Outcome("y", "z", 0.5), Outcome("z", "x", 1.0), Outcome("x", "z", 1.0)]
    ours = fit(["x", "y", "z"], outcomes)
    doubled = [(o.a, o.b) if o.score == 1.0 else (o.b, o.a) for o in outcomes if o.score != 0.5 for _ in range(2)]
    doubled += [("y", "z"), ("z", "y")]
    lab = run_bradley_terry(
        BradleyTerryInput(items=["x", "y", "z"], comparisons=doubled, lr=2.0, steps=20000,
                          l2=PRIOR_PRECISION / len(outcomes))
    )["rewards"]
    assert ours == pytest.approx(lab, abs=1e-6)  # type: ignore[arg-type]


def test_a_dominant_contestant_rates_higher_with_non_overlapping_intervals() -> None:
    rated = rate(["good", "bad"], wins("good", "bad", 10), rounds=100, seed=3)
    good, bad = rated.of("good"), rated.of("bad")
    assert [r.contestant for r in rated.ratings] == ["good", "bad"]
    assert (good.wins, good.losses, bad.losses) == (10, 0, 10)
    assert good.low is not None and bad.high is not None and good.low > bad.high
    assert good.low <= good.elo <= good.high  # type: ignore[operator]
    assert win_probability(rated, "good", "bad") > 0.95


def test_bootstrap_intervals_are_seeded_and_contain_the_estimate() -> None:
    outcomes = [*wins("a", "b", 6), *wins("b", "a", 3), Outcome("a", "b", 0.5), Outcome("a", "b", 0.5)]
    outcomes += [*wins("b", "c", 4), *wins("c", "b", 1)]
    first = rate(["a", "b", "c"], outcomes, rounds=80, seed=7)
    again = rate(["a", "b", "c"], outcomes, rounds=80, seed=7)
    other = rate(["a", "b", "c"], outcomes, rounds=80, seed=8)
    assert first == again
    assert [(r.low, r.high) for r in first.ratings] != [(r.low, r.high) for r in other.ratings]
    for r in first.ratings:
        assert r.low is not None and r.high is not None and r.low < r.elo < r.high, r
    assert first.outcomes == len(outcomes) and first.rounds == 80


def test_no_outcomes_rates_everyone_equal_without_an_interval() -> None:
    rated = rate(["a", "b"], [], rounds=50)
    assert [(r.elo, r.low, r.high, r.games) for r in rated.ratings] == [(1000.0, None, None, 0)] * 2
    assert rated.rounds == 0


@pytest.mark.parametrize(
    ("contestants", "outcomes", "message"),
    [
        (["a"], [], "two distinct"),
        (["a", "a"], [], "two distinct"),
        (["a", "b"], [Outcome("a", "c", 1.0)], "not rated"),
    ],
)
def test_bad_input_is_refused(contestants: list[str], outcomes: list[Outcome], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit(contestants, outcomes)


def test_an_outcome_is_a_win_a_tie_or_a_loss() -> None:
    with pytest.raises(ValueError, match=r"1, 0\.5 or 0"):
        Outcome("a", "b", 0.7)
    with pytest.raises(ValueError, match="itself"):
        Outcome("a", "a", 1.0)
