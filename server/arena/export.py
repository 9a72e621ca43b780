"""An arena as a file: the whole JSON document, or CSV (one row per pair, or one per contestant's rating).

The pairs CSV names both contestants, each answer and its check, who judged and how, and
a person's vote where there is one, so every rating can be recomputed from it.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from workflows.arena.schema import ArenaResult, RatingsView

PAIR_FIELDS = (
    "arena_id", "item_index", "item_id", "pair_id", "a", "b", "judge_winner", "judge_winner_side", "judged_by",
    "method", "persona", "framework", "judge_model", "human_winner", "human_winner_side", "a_correct", "b_correct",
    "a_score", "b_score", "a_error", "b_error", "seed", "prompt", "a_answer", "b_answer", "critique", "reason",
)
RATING_FIELDS = ("arena_id", "source", "rank", "contestant", "elo", "low", "high", "strength", "wins", "losses",
                 "ties", "outcomes", "rounds", "seed")


def winner_of(side: str | None, a: str, b: str) -> str:
    return "" if side is None else {"a": a, "b": b, "tie": "tie"}[side]


def export_json(meta: dict[str, Any], result: dict[str, Any], votes: list[dict[str, Any]],
                ratings: dict[str, RatingsView]) -> str:
    """{"arena": the row as the API shows it, "result": every prompt, "votes": people's, "ratings": per source}."""
    body = {"arena": meta, "result": result, "votes": votes,
            "ratings": {k: v.model_dump(mode="json") for k, v in ratings.items()}}
    return json.dumps(body, ensure_ascii=False, indent=2)


def pair_rows(arena_id: str, result: ArenaResult, votes: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for item in result.items:
        for pair in item.pairs:
            a, b = item.answers[pair.a], item.answers[pair.b]
            j = pair.judgement
            human = votes.get(pair.pair_id)
            rows.append({
                "arena_id": arena_id, "item_index": item.index, "item_id": item.id, "pair_id": pair.pair_id,
                "a": pair.a, "b": pair.b, "judge_winner": winner_of(pair.winner, pair.a, pair.b),
                "judge_winner_side": pair.winner, "judged_by": j.by, "method": j.method, "persona": j.persona,
                "framework": j.framework, "judge_model": j.model, "human_winner": winner_of(human, pair.a, pair.b),
                "human_winner_side": human, "a_correct": a.correct, "b_correct": b.correct, "a_score": a.score,
                "b_score": b.score, "a_error": a.error, "b_error": b.error, "seed": result.spec.seed,
                "prompt": item.input, "a_answer": a.text, "b_answer": b.text, "critique": j.critique,
                "reason": j.error or j.reason,
            })
    return rows


def rating_rows(arena_id: str, ratings: dict[str, RatingsView]) -> list[dict[str, Any]]:
    rows = []
    for source, view in ratings.items():
        for rank, r in enumerate(view.ratings, 1):
            rows.append({"arena_id": arena_id, "source": source, "rank": rank, "contestant": r.contestant,
                         "elo": round(r.elo, 3), "low": None if r.low is None else round(r.low, 3),
                         "high": None if r.high is None else round(r.high, 3), "strength": round(r.strength, 6),
                         "wins": r.wins, "losses": r.losses, "ties": r.ties, "outcomes": view.outcomes,
                         "rounds": view.rounds, "seed": view.seed})
    return rows


def _csv(fields: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else int(v) if isinstance(v, bool) else v for k, v in row.items()})
    return buffer.getvalue()


def export_pairs_csv(arena_id: str, result: ArenaResult, votes: dict[str, str]) -> str:
    return _csv(PAIR_FIELDS, pair_rows(arena_id, result, votes))


def export_ratings_csv(arena_id: str, ratings: dict[str, RatingsView]) -> str:
    return _csv(RATING_FIELDS, rating_rows(arena_id, ratings))


__all__ = ["PAIR_FIELDS", "RATING_FIELDS", "export_json", "export_pairs_csv", "export_ratings_csv", "pair_rows"]
