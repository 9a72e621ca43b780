"""The arena's tables: one row per model or agent arena, and one per person's vote on a blind pair.

`arenas` mirrors `evals`: `result` is the ArenaResult JSON with every prompt's answers and
pairs (None until the first is stored), `summary` its small part (the judge's ratings and
pair counts) for listings, `source` says who drives the run (the API's run manager, or a CLI
process). `arena_votes` holds people's votes: one per pair (a pair is shown to people until
someone has voted on it), `winner` the blind side chosen, a, b or tie.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .models import _json, utcnow


class ArenaRow(SQLModel, table=True):
    __tablename__ = "arenas"
    __table_args__ = (Index("ix_arenas_suite_created", "suite", "created_at"),)

    arena_id: str = Field(primary_key=True)
    suite: str  # the suite's name, or "prompts" for inline prompts
    status: str = Field(default="running", index=True)
    source: str = "api"
    run_id: str | None = None
    thread_id: str | None = None
    pid: int | None = None
    thinkroom_version: str = ""
    contestants: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    spec: dict[str, Any] = _json()
    result: dict[str, Any] | None = _json(nullable=True)
    summary: dict[str, Any] = _json()
    items_done: int = 0
    total_items: int = 0
    error: dict[str, Any] | None = _json(nullable=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class ArenaVoteRow(SQLModel, table=True):
    __tablename__ = "arena_votes"
    __table_args__ = (UniqueConstraint("arena_id", "pair_id", name="uq_arena_votes_arena_pair"),)

    vote_id: str = Field(primary_key=True)
    arena_id: str = Field(index=True)
    pair_id: str
    winner: str  # a, b or tie: the blind side the person preferred
    created_at: datetime = Field(default_factory=utcnow)


__all__ = ["ArenaRow", "ArenaVoteRow"]
