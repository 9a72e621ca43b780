"""Arenas and people's votes: one store for `/api/arenas` and `thinkroom arena`.

Listings never load `result` (every prompt's answers): each write of a result also stores
its small part (`summary`: the judge's ratings and pair counts) and the prompt counts.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from .arena_tables import ArenaRow, ArenaVoteRow
from .common import iso
from .results import ResultRepo

if TYPE_CHECKING:
    pass

FINAL = ("success", "error", "interrupted")
STATUSES = ("running", *FINAL)
SUMMARY_KEYS = ("ratings", "pairs", "verified_pairs", "persona_pairs", "failed_pairs", "wall_seconds")


class DuplicateVote(ValueError):
    """Someone already voted on this pair."""


def summary_of(result: dict[str, Any]) -> dict[str, Any]:
    """The part of an ArenaResult a listing shows."""
    return {k: result[k] for k in SUMMARY_KEYS if k in result}


def result_changes(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "result": result,
        "summary": summary_of(result),
        "items_done": len(result.get("items") or []),
        "total_items": int(result.get("total_items") or 0),
    }


def as_api(row: ArenaRow, progress: dict[str, Any] | None = None, votes: int | None = None) -> dict[str, Any]:
    """A row as the API and `--json` show it: everything but the prompts (never reads `row.result`)."""
    summary = summary_of(progress) if progress is not None else dict(row.summary or {})
    done = len(progress.get("items") or []) if progress is not None else row.items_done
    total = int(progress.get("total_items") or 0) if progress is not None else row.total_items
    body: dict[str, Any] = {
        "arena_id": row.arena_id,
        "suite": row.suite,
        "status": row.status,
        "source": row.source,
        "run_id": row.run_id,
        "thread_id": row.thread_id,
        "thinkroom_version": row.thinkroom_version,
        "contestants": list(row.contestants),
        "spec": row.spec,
        "items_done": done,
        "total_items": total,
        **summary,
        "error": row.error,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }
    if votes is not None:
        body["human_votes"] = votes
    return body


class ArenaRepo(ResultRepo[ArenaRow]):
    """Arena rows and their votes."""

    row_type = ArenaRow
    id_field = "arena_id"
    derive = staticmethod(result_changes)

    def delete_dependents(self, session: Any, row_id: str) -> None:
        """An arena's people's votes go with it."""
        for vote in session.exec(select(ArenaVoteRow).where(ArenaVoteRow.arena_id == row_id)).all():
            session.delete(vote)

    # -- votes --------------------------------------------------------------------------------
    def add_vote(self, arena_id: str, pair_id: str, winner: str) -> ArenaVoteRow:
        """Record a person's vote; DuplicateVote when this pair already has one."""
        vote = ArenaVoteRow(vote_id=str(uuid.uuid4()), arena_id=arena_id, pair_id=pair_id, winner=winner)
        try:
            with self.db.write() as session:
                session.add(vote)
        except IntegrityError:
            raise DuplicateVote(f"pair {pair_id!r} already has a vote") from None
        return vote

    def votes(self, arena_id: str) -> list[ArenaVoteRow]:
        """Every vote on the arena, oldest first."""
        query = select(ArenaVoteRow).where(ArenaVoteRow.arena_id == arena_id)
        query = query.order_by(col(ArenaVoteRow.created_at), col(ArenaVoteRow.vote_id))
        with self.db.read() as session:
            return list(session.exec(query).all())

    def vote_count(self, arena_id: str) -> int:
        query = select(func.count()).select_from(ArenaVoteRow).where(ArenaVoteRow.arena_id == arena_id)
        with self.db.read() as session:
            return int(session.exec(query).one())


__all__ = ["FINAL", "STATUSES", "ArenaRepo", "DuplicateVote", "as_api", "result_changes", "summary_of"]
