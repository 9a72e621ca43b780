"""A repository for rows that carry a run's result (evals, arenas): create, get, and update
columns, where setting `result` also sets the columns derived from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import SQLModel, col, select

from .engine import Database
from .models import utcnow

RowT = TypeVar("RowT", bound=SQLModel)


class ResultRepo(Generic[RowT]):
    """Create/get/update for `row_type`; `derive(result)` gives the columns a stored result implies."""

    row_type: type[RowT]
    derive: Callable[[dict[str, Any]], dict[str, Any]]
    #: The primary key column (ties in `search` are broken by it).
    id_field: ClassVar[str]

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

    def column(self, name: str) -> Any:
        return getattr(self.row_type, name)

    def _where(self, query: Any, filters: dict[str, str | None]) -> Any:
        for name, value in filters.items():
            if value:
                query = query.where(self.column(name) == value)
        return query

    def search(self, *, limit: int = 20, offset: int = 0, **filters: str | None) -> list[RowT]:
        """Newest first, without the heavy `result` column; `filters` are column values (None: any)."""
        query = self._where(select(self.row_type).options(defer(self.column("result"))), filters)
        newest = col(self.column("created_at")).desc()
        query = query.order_by(newest, col(self.column(self.id_field))).offset(offset).limit(limit)
        with self.db.read() as session:
            return list(session.exec(query).all())

    def count(self, **filters: str | None) -> int:
        query = self._where(select(func.count()).select_from(self.row_type), filters)
        with self.db.read() as session:
            return int(session.exec(query).one())

    def running(self) -> list[RowT]:
        """Rows still marked running (their run or process may have ended since), without `result`."""
        return self.search(limit=1_000_000, status="running")

    def delete(self, row_id: str) -> bool:
        with self.db.write() as session:
            row = session.get(self.row_type, row_id)
            if row is None:
                return False
            self.delete_dependents(session, row_id)
            session.delete(row)
            return True

    def delete_dependents(self, session: Any, row_id: str) -> None:
        """Rows of other tables that belong to this one (none by default)."""
