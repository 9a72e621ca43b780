"""From judged pairs to ratings: outcomes, the Bradley–Terry view, and the one-line digest.

Summaries are recomputed from the items, so an arena read from its checkpoint mid-run and
a finished one are summarised the same way; human votes join as more outcomes (server side).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from tools.evals.ratings import Outcome, rate

from .schema import ArenaItem, ArenaResult, Pair, RatingRow, RatingsView, Side

SCORES: dict[str, float] = {"a": 1.0, "b": 0.0, "tie": 0.5}


def outcome(pair: Pair, winner: Side | None = None) -> Outcome | None:
    """The pair as a rated outcome (a scored against b); None for an unjudged pair."""
    side = winner if winner is not None else pair.winner
    return None if side is None else Outcome(pair.a, pair.b, SCORES[side])


def judge_outcomes(items: Iterable[ArenaItem]) -> list[Outcome]:
    return [o for item in items for pair in item.pairs if (o := outcome(pair)) is not None]


def ratings_view(
    source: Literal["judge", "human", "combined"], contestants: Sequence[str], outcomes: Sequence[Outcome],
    *, seed: int, rounds: int,
) -> RatingsView:
    rated = rate(list(contestants), list(outcomes), rounds=rounds, seed=seed)
    return RatingsView(
        source=source, outcomes=rated.outcomes, rounds=rated.rounds, seed=rated.seed,
        prior_precision=rated.prior_precision, method=rated.method,
        ratings=[RatingRow(contestant=r.contestant, strength=r.strength, elo=r.elo, low=r.low, high=r.high,
                           wins=r.wins, losses=r.losses, ties=r.ties) for r in rated.ratings],
    )


def counts(items: Iterable[ArenaItem]) -> dict[str, int]:
    """Pairs in all, and how many a verifier, the persona (or a rule) decided, and how many failed."""
    pairs = [p for item in items for p in item.pairs]
    return {
        "pairs": len(pairs),
        "verified_pairs": sum(p.judgement.by == "verifier" for p in pairs),
        "persona_pairs": sum(p.judgement.by == "persona" and p.winner is not None for p in pairs),
        "failed_pairs": sum(p.winner is None for p in pairs),
    }


def _interval(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f" [{low:.0f}, {high:.0f}]"


def summary_line(result: ArenaResult) -> str:
    source = result.spec.suite or "prompts"
    head = (f"arena on {source}, {len(result.items)} prompts, {result.pairs} pairs "
            f"({result.verified_pairs} verified, {result.persona_pairs} by the {result.judge.persona})")
    rows = [f"{r.contestant} {r.elo:.0f}{_interval(r.low, r.high)} ({r.wins}-{r.losses}-{r.ties})"
            for r in result.ratings.ratings]
    return head + ": " + "; ".join(rows)


__all__ = ["SCORES", "counts", "judge_outcomes", "outcome", "ratings_view", "summary_line"]
