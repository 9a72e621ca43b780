"""People's votes: the next blind pair to show, and votes as rated outcomes.

A pair is shown as the judge saw it (the prompt, answer A, answer B: no contestant names,
the same seeded order) until someone has voted on it; pairs come in prompt order. A vote
names the blind side preferred, so it is rated exactly like the judge's outcome on that pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from tools.evals.ratings import Outcome
from workflows.arena.schema import ArenaResult, RatingsView
from workflows.arena.summary import judge_outcomes, outcome, ratings_view

Source = Literal["judge", "human", "combined"]
SOURCES: tuple[Source, ...] = ("judge", "human", "combined")
#: (arena id, source, outcomes) -> the view: a bootstrap refits every round, so each set of outcomes is rated once.
_CACHE_SIZE = 64
_rated: dict[tuple[str, str, tuple[Outcome, ...], int, int], RatingsView] = {}


class UnknownPair(LookupError):
    """A vote names no pair of this arena."""


def shown(text: str) -> str:
    return text if text.strip() else "(no answer)"


def blind_pairs(result: ArenaResult) -> list[dict[str, Any]]:
    """Every pair as a person sees it: prompt and the two answers, no names."""
    pairs = []
    for item in result.items:
        for pair in item.pairs:
            pairs.append({"pair_id": pair.pair_id, "prompt": item.input,
                          "a": shown(item.answers[pair.a].text), "b": shown(item.answers[pair.b].text)})
    return pairs


def next_pair(result: ArenaResult, voted: Iterable[str]) -> tuple[dict[str, Any] | None, int]:
    """(the first pair nobody has voted on, how many are left); (None, 0) when every pair has a vote."""
    done = set(voted)
    left = [p for p in blind_pairs(result) if p["pair_id"] not in done]
    return (left[0] if left else None), len(left)


def human_outcomes(result: ArenaResult, votes: Sequence[tuple[str, str]]) -> list[Outcome]:
    """(pair id, side) votes as outcomes; UnknownPair for a vote on no pair of this result."""
    outcomes = []
    for pair_id, side in votes:
        found = result.pair(pair_id)
        if found is None:
            raise UnknownPair(pair_id)
        rated = outcome(found[1], side)  # type: ignore[arg-type]
        if rated is not None:
            outcomes.append(rated)
    return outcomes


def ratings(
    arena_id: str, result: ArenaResult, votes: Sequence[tuple[str, str]], source: Source, *, rounds: int
) -> RatingsView:
    """One source's ratings: the judge's outcomes, people's votes, or both together."""
    contestants = [c.id for c in result.contestants]
    if source == "judge" and result.ratings.rounds == rounds and result.ratings.outcomes == len(
            judge_outcomes(result.items)):
        return result.ratings  # rated by the run's `finish` step
    people = human_outcomes(result, votes)
    outcomes = {"judge": judge_outcomes(result.items), "human": people,
                "combined": judge_outcomes(result.items) + people}[source]
    key = (arena_id, source, tuple(outcomes), result.spec.seed, rounds)
    view = _rated.get(key)
    if view is None:
        view = ratings_view(source, contestants, outcomes, seed=result.spec.seed, rounds=rounds)
        _rated[key] = view
        while len(_rated) > _CACHE_SIZE:
            _rated.pop(next(iter(_rated)))
    return view


__all__ = ["SOURCES", "Source", "UnknownPair", "blind_pairs", "human_outcomes", "next_pair", "ratings"]
