"""A repository for rows that carry a run's result (evals, arenas): create, get, and update
columns, where setting `result` also sets the columns derived from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlmodel import SQLModel

from .engine import Database
from .models import utcnow

RowT = TypeVar("RowT", bound=SQLModel)


class ResultRepo(Generic[RowT]):
    """Create/get/update for `row_type`; `derive(result)` gives the columns a stored result implies."""

    row_type: type[RowT]
    derive: Callable[[dict[str, Any]], dict[str, Any]]

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, row: RowT) -> RowT:
        with self.db.write() as session:
            session.add(row)
        return row

    def get(self, row_id: str) -> RowT | None:
        with self.db.read() as session:
            return session.get(self.row_type, row_id)

    def update(self, row_id: str, *, result: dict[str, Any] | None = None, **changes: Any) -> RowT | None:
        """Set columns; a `result` also sets what it implies (summary, counts, models)."""
        if result is not None:
            changes = {**type(self).derive(result), **changes}
        with self.db.write() as session:
            row = session.get(self.row_type, row_id)
            if row is None:
                return None
            for key, value in changes.items():
                setattr(row, key, value)
            row.updated_at = utcnow()  # type: ignore[attr-defined]
            session.add(row)
            return row
