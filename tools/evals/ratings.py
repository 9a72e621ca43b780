"""Bradley–Terry ratings from pairwise outcomes, with 95% intervals from a seeded bootstrap.

The fit is the concept lab's own (`tools.concepts.rlhf.run_bradley_terry`: gradient ascent
on the mean log σ(r_w − r_l), rewards centred), so the arena and the lesson on reward
models compute the same thing. That fit takes [winner, loser] pairs, so each outcome enters
as two comparisons: a win as two for the winner, a tie as one each way (half a win each).
The comparisons are reduced by their common divisor first, which leaves the mean, and so
the fit, unchanged: an arena where one side always wins is a single comparison.

An unbeaten contestant's maximum-likelihood strength is infinite, so a Gaussian prior of
precision PRIOR_PRECISION on each strength keeps it finite; it is scaled so that it weighs
the same however many outcomes there are (the concept's `l2` multiplies a mean).

Intervals: the outcomes are resampled with replacement `rounds` times (random.Random(seed)),
each resample is refitted, and the 2.5th and 97.5th percentiles of each contestant's rating
bound it. When every outcome is the same, every resample is too: the interval then has no
width, and only the prior bounds the ratings. Ratings are shown on the Elo scale
(1000 + 400·β/ln 10, as Chatbot Arena does) as well as in log-odds units (β).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce

from tools.concepts.rlhf import BradleyTerryInput, run_bradley_terry

#: Precision of the zero-mean Gaussian prior on each strength (log-odds units): sd ≈ 3.2.
PRIOR_PRECISION = 0.1
#: Gradient-ascent settings of the concept's fit: STEPS at first, four times more until it has converged
#: (a well-conditioned arena converges within 50 steps; one near-unanimous needs more).
LEARNING_RATE = 2.0
STEPS = 50
MAX_STEPS = 100_000
#: A fit whose largest gradient component is below this has converged.
TOLERANCE = 1e-9
BOOTSTRAP_ROUNDS = 200
ELO_BASE = 1000.0
ELO_SCALE = 400.0 / math.log(10)
#: The concept's input limits (BradleyTerryInput): 200 items, 10,000 comparisons.
MAX_CONTESTANTS = 200
MAX_OUTCOMES = 5000


@dataclass(frozen=True)
class Outcome:
    """One judged pair: `a` scored `score` against `b` (1 a won, 0.5 a tie, 0 b won)."""

    a: str
    b: str
    score: float

    def __post_init__(self) -> None:
        if self.score not in (0.0, 0.5, 1.0):
            raise ValueError(f"an outcome's score is 1, 0.5 or 0, not {self.score!r}")
        if self.a == self.b:
            raise ValueError(f"{self.a!r} cannot be compared with itself")


@dataclass(frozen=True)
class Rating:
    """One contestant's rating with its bootstrap interval and record."""

    contestant: str
    strength: float  # β, log-odds units, centred over the contestants
    elo: float
    low: float | None  # 95% bootstrap interval on the Elo scale (None: no outcome to resample)
    high: float | None
    wins: int
    losses: int
    ties: int

    @property
    def games(self) -> int:
        return self.wins + self.losses + self.ties


@dataclass(frozen=True)
class Ratings:
    """Every contestant's rating, best first, and how they were computed."""

    ratings: list[Rating]
    outcomes: int
    rounds: int
    seed: int
    prior_precision: float = PRIOR_PRECISION
    method: str = field(
        default="Bradley-Terry (tools.concepts.rlhf.run_bradley_terry), ties as half wins; "
        "95% percentile bootstrap over outcomes"
    )

    def of(self, contestant: str) -> Rating:
        for rating in self.ratings:
            if rating.contestant == contestant:
                return rating
        raise KeyError(f"no contestant {contestant!r}")


def comparisons(outcomes: Sequence[Outcome]) -> list[tuple[str, str]]:
    """[winner, loser] pairs for the concept's fit: a win twice, a tie once each way, reduced by their gcd."""
    counts: Counter[tuple[str, str]] = Counter()
    for o in outcomes:
        counts[(o.a, o.b)] += round(2 * o.score)
        counts[(o.b, o.a)] += round(2 * (1 - o.score))
    used = {pair: n for pair, n in counts.items() if n}
    if not used:
        return []
    divisor = reduce(math.gcd, used.values())
    return [pair for pair, n in sorted(used.items()) for _ in range(n // divisor)]


def _gradient(contestants: Sequence[str], pairs: Sequence[tuple[str, str]], r: dict[str, float], l2: float) -> float:
    """The largest component of the concept objective's gradient at `r` (0 at its maximum)."""
    grad = {c: -l2 * r[c] for c in contestants}
    for w, lo in pairs:
        g = 1.0 / (1.0 + math.exp(r[w] - r[lo])) / len(pairs)  # 1 − σ(r_w − r_l), per comparison
        grad[w] += g
        grad[lo] -= g
    return max(abs(v) for v in grad.values())


def fit(contestants: Sequence[str], outcomes: Sequence[Outcome], prior: float = PRIOR_PRECISION) -> dict[str, float]:
    """Each contestant's strength β (centred) under the prior; all 0 without outcomes."""
    if len(set(contestants)) != len(contestants) or len(contestants) < 2:
        raise ValueError("need at least two distinct contestants")
    if len(contestants) > MAX_CONTESTANTS:
        raise ValueError(f"at most {MAX_CONTESTANTS} contestants")
    if len(outcomes) > MAX_OUTCOMES:
        raise ValueError(f"at most {MAX_OUTCOMES} outcomes")
    known = set(contestants)
    for o in outcomes:
        if o.a not in known or o.b not in known:
            raise ValueError(f"an outcome names a contestant not rated: {o.a!r} or {o.b!r}")
    pairs = comparisons(outcomes)
    if not pairs:
        return dict.fromkeys(contestants, 0.0)
    l2 = prior / len(outcomes)  # the concept's l2 multiplies a mean over 2 comparisons per outcome (module doc)
    steps = STEPS
    while True:
        out = run_bradley_terry(
            BradleyTerryInput(items=list(contestants), comparisons=pairs, lr=LEARNING_RATE, steps=steps, l2=l2)
        )
        rewards = {c: float(v) for c, v in out["rewards"].items()}  # type: ignore[attr-defined]
        if steps >= MAX_STEPS or _gradient(contestants, pairs, rewards, l2) < TOLERANCE:
            return rewards
        steps = min(steps * 4, MAX_STEPS)


def elo(strength: float) -> float:
    return ELO_BASE + ELO_SCALE * strength


def _percentile(values: list[float], q: float) -> float:
    """Linear-interpolation percentile (numpy's default) of sorted `values`."""
    position = (len(values) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def record(contestants: Sequence[str], outcomes: Sequence[Outcome]) -> dict[str, tuple[int, int, int]]:
    """(wins, losses, ties) per contestant."""
    tally = {c: [0, 0, 0] for c in contestants}
    for o in outcomes:
        if o.score == 0.5:
            tally[o.a][2] += 1
            tally[o.b][2] += 1
        else:
            winner, loser = (o.a, o.b) if o.score == 1.0 else (o.b, o.a)
            tally[winner][0] += 1
            tally[loser][1] += 1
    return {c: (w, lo, t) for c, (w, lo, t) in tally.items()}


def rate(
    contestants: Sequence[str],
    outcomes: Sequence[Outcome],
    *,
    rounds: int = BOOTSTRAP_ROUNDS,
    seed: int = 0,
    prior: float = PRIOR_PRECISION,
) -> Ratings:
    """Ratings with 95% bootstrap intervals; the same inputs and seed always give the same numbers."""
    if rounds < 0:
        raise ValueError("rounds must be >= 0")
    point = fit(contestants, outcomes, prior)
    samples: dict[str, list[float]] = {c: [] for c in contestants}
    if outcomes and rounds:
        rng = random.Random(seed)
        fitted: dict[tuple[tuple[str, str], ...], dict[str, float]] = {}  # resamples with the same comparisons
        for _ in range(rounds):
            resample = [outcomes[rng.randrange(len(outcomes))] for _ in outcomes]
            key = tuple(comparisons(resample))
            if key not in fitted:
                fitted[key] = fit(contestants, resample, prior)
            for c, beta in fitted[key].items():
                samples[c].append(elo(beta))
    tally = record(contestants, outcomes)
    ratings = []
    for c in contestants:
        values = sorted(samples[c])
        low, high = (_percentile(values, 0.025), _percentile(values, 0.975)) if values else (None, None)
        wins, losses, ties = tally[c]
        ratings.append(Rating(c, point[c], elo(point[c]), low, high, wins, losses, ties))
    ratings.sort(key=lambda r: (-r.strength, r.contestant))
    return Ratings(ratings=ratings, outcomes=len(outcomes), rounds=rounds if outcomes else 0, seed=seed,
                   prior_precision=prior)


def win_probability(ratings: Ratings, a: str, b: str) -> float:
    """P(a beats b) under the fitted model: σ(β_a − β_b)."""
    return 1.0 / (1.0 + math.exp(ratings.of(b).strength - ratings.of(a).strength))


__all__ = [
    "BOOTSTRAP_ROUNDS",
    "MAX_OUTCOMES",
    "PRIOR_PRECISION",
    "Outcome",
    "Rating",
    "Ratings",
    "comparisons",
    "elo",
    "fit",
    "rate",
    "record",
    "win_probability",
]
