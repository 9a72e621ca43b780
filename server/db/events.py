"""The ordered event log of each run, written in batches by the run manager."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert
from sqlmodel import col, select

from .engine import Database
from .models import RunEventRow, utcnow

StoredEvent = tuple[str, int, str, str]  # run_id, seq, event name, JSON data


class EventRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def append(self, events: Iterable[StoredEvent]) -> int:
        """Insert a batch in one transaction (a core INSERT: no ORM cost per event)."""
        now = utcnow()
        rows = [{"run_id": r, "seq": s, "event": e, "data": d, "created_at": now} for r, s, e, d in events]
        if not rows:
            return 0
        with self.db.begin() as conn:
            conn.execute(insert(RunEventRow.__table__), rows)  # type: ignore[attr-defined]
        return len(rows)

    def since(self, run_id: str, after_seq: int = -1) -> list[tuple[int, str, str]]:
        query = (
            select(RunEventRow.seq, RunEventRow.event, RunEventRow.data)
            .where(RunEventRow.run_id == run_id, col(RunEventRow.seq) > after_seq)
            .order_by(col(RunEventRow.seq))
        )
        with self.db.read() as session:
            return [(int(s), str(e), str(d)) for s, e, d in session.exec(query).all()]

    def count(self, run_id: str) -> int:
        with self.db.read() as session:
            return len(session.exec(select(RunEventRow.id).where(RunEventRow.run_id == run_id)).all())

    def next_seq(self, run_id: str) -> int:
        """The sequence number a resumed run continues from."""
        with self.db.read() as session:
            last = session.exec(
                select(RunEventRow.seq).where(RunEventRow.run_id == run_id).order_by(col(RunEventRow.seq).desc())
            ).first()
        return 0 if last is None else int(last) + 1
