"""Evaluations: one row per `eval` run (API or CLI) with its spec, status and the whole EvalResult.

Listings never load `result` (every item's outputs): each write of a result also stores its
small part (`summary`: column summaries, McNemar tests, wall time) and the item counts, so a
list of a hundred evaluations reads a hundred small rows.
"""

from __future__ import annotations

from typing import Any

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
    id_field = "eval_id"
    derive = staticmethod(result_changes)


__all__ = ["FINAL", "STATUSES", "EvalRepo", "as_api", "result_changes", "summary_of"]
