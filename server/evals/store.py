"""The evaluations' status, kept true whoever drives the run (server.results.store has the rules)."""

from __future__ import annotations

from typing import Any

from server.db import Database
from server.db.evals import EvalRepo
from server.db.models import EvalRow
from server.results.store import ResultStore
from workflows.evals.schema import EvalSpec

from .progress import checkpoint_result


class EvalStore(ResultStore[EvalRow, EvalSpec]):
    """EvalRepo plus the rules that keep each row's status in step with what runs it."""

    noun = "eval"
    unit = "item"
    spec_type = EvalSpec
    repo: EvalRepo

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.repo = EvalRepo(db)

    def new_row(self, row_id: str, spec: EvalSpec, version: str, **fields: Any) -> EvalRow:
        return EvalRow(eval_id=row_id, suite=spec.suite, thinkroom_version=version, spec=spec.model_dump(mode="json"),
                       models=[{"name": name} for name in spec.models], **fields)

    async def checkpoint_result(self, graph: Any, thread_id: str) -> dict[str, Any] | None:
        return await checkpoint_result(graph, thread_id)


__all__ = ["EvalStore"]
