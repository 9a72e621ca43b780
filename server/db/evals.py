"""Evaluations: one row per `eval` run (API or CLI) with its spec, status and the whole EvalResult.

Listings never load `result` (every item's outputs): each write of a result also stores its
small part (`summary`: column summaries, McNemar tests, wall time) and the item counts, so a
list of a hundred evaluations reads a hundred small rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import col, select

from .common import iso
from .models import EvalRow
from .results import ResultRepo

FINAL = ("success", "error", "interrupted")
STATUSES = ("running", *FINAL)


def summary_of(result: dict[str, Any]) -> dict[str, Any]:
    """The part of an EvalResult a listing shows."""
    return {
        "columns": list(result.get("columns") or []),
        "mcnemar": list(result.get("mcnemar") or []),
        "wall_seconds": float(result.get("wall_seconds") or 0.0),
    }


def result_changes(result: dict[str, Any]) -> dict[str, Any]:
    """The columns a new result sets: itself, its summary, the item counts and the models it used."""
    changes: dict[str, Any] = {
        "result": result,
        "summary": summary_of(result),
        "items_done": len(result.get("items") or []),
        "total_items": int(result.get("total_items") or 0),
    }
    if result.get("models"):
        changes["models"] = list(result["models"])
    return changes


def as_api(row: EvalRow, progress: dict[str, Any] | None = None) -> dict[str, Any]:
    """A row as the API and `--json` show it: everything but the items (never reads `row.result`).

    `progress` is a newer result than the stored one (a running eval's, read from its checkpoint).
    """
    summary = summary_of(progress) if progress is not None else (row.summary or summary_of({}))
    done = len(progress.get("items") or []) if progress is not None else row.items_done
    total = int(progress.get("total_items") or 0) if progress is not None else row.total_items
    models = (progress or {}).get("models") or row.models or []
    return {
        "eval_id": row.eval_id,
        "suite": row.suite,
        "status": row.status,
        "source": row.source,
        "run_id": row.run_id,
        "thread_id": row.thread_id,
        "thinkroom_version": row.thinkroom_version,
        "models": models,
        "spec": row.spec,
        "items_done": done,
        "total_items": total,
        **summary,
        "error": row.error,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }


class EvalRepo(ResultRepo[EvalRow]):
    """The one store of evaluations, used by `/api/evals` and by `thinkroom eval`."""

    row_type = EvalRow
    derive = staticmethod(result_changes)

    def search(
        self, *, suite: str | None = None, status: str | None = None, limit: int = 20, offset: int = 0
    ) -> list[EvalRow]:
        """Newest first, without the item-heavy `result` column."""
        query = _filtered(select(EvalRow).options(defer(EvalRow.result)), suite, status)  # type: ignore[arg-type]
        query = query.order_by(col(EvalRow.created_at).desc(), col(EvalRow.eval_id)).offset(offset).limit(limit)
        with self.db.read() as session:
            return list(session.exec(query).all())

    def count(self, *, suite: str | None = None, status: str | None = None) -> int:
        query = _filtered(select(func.count()).select_from(EvalRow), suite, status)
        with self.db.read() as session:
            return int(session.exec(query).one())

    def running(self) -> list[EvalRow]:
        """Rows still marked running (their run or process may have ended since), without `result`."""
        query = select(EvalRow).options(defer(EvalRow.result)).where(EvalRow.status == "running")  # type: ignore[arg-type]
        with self.db.read() as session:
            return list(session.exec(query).all())

    def delete(self, eval_id: str) -> bool:
        with self.db.write() as session:
            row = session.get(EvalRow, eval_id)
            if row is None:
                return False
            session.delete(row)
            return True


def _filtered(query: Any, suite: str | None, status: str | None) -> Any:
    if suite:
        query = query.where(EvalRow.suite == suite)
    if status:
        query = query.where(EvalRow.status == status)
    return query


__all__ = ["FINAL", "STATUSES", "EvalRepo", "as_api", "result_changes", "summary_of"]
