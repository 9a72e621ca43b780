"""The run queue on PostgreSQL: leases, claims, cancel requests and the notifications that
tell other replicas about them (see server.db.queue_table for the table).

Every statement uses the database's clock. A claim takes the oldest free runs whose thread
has no earlier unfinished run, with `FOR UPDATE SKIP LOCKED`, so replicas claiming at the
same time never take the same run nor two runs of one thread. The transaction that records a
run's final status deletes its row, but only while this replica still owns it (a fence: a
replica that lost its lease cannot overwrite the new owner's result).

Notifications go on one channel (`thinkroom`), sent inside the writing transaction so they
are delivered when (and only if) it commits: `e <run ids>` new events stored, `d <run id>`
a run finished, `c <run id> <action>` cancel a run, `q` a run is free to claim.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Table, bindparam, text
from sqlalchemy.engine import Connection

from .engine import Database
from .models import RunRow
from .queue_table import RunQueueRow

CHANNEL = "thinkroom"
NOTIFY_LIMIT = 7900  # PostgreSQL refuses payloads of 8000 bytes or more
QUEUE: Table = RunQueueRow.__table__  # type: ignore[attr-defined]
RUNS: Table = RunRow.__table__  # type: ignore[attr-defined]

NOTIFY = text("SELECT pg_notify(:channel, :payload)").bindparams(channel=CHANNEL)
LOCK_THREAD = text("SELECT 1 FROM threads WHERE thread_id = :thread_id FOR UPDATE")
THREAD_ACTIVE = text("SELECT run_id FROM run_queue WHERE thread_id = :thread_id ORDER BY queued_at, run_id")
ENQUEUE = text(
    "INSERT INTO run_queue (run_id, thread_id, queued_at, available_at, owner, lease_expires_at) VALUES "
    "(:run_id, :thread_id, clock_timestamp(), clock_timestamp() + make_interval(secs => :delay), :owner, "
    "CASE WHEN CAST(:owner AS VARCHAR) IS NULL THEN NULL ELSE clock_timestamp() + make_interval(secs => :lease) END)"
)
CLAIM = text(
    """
    WITH eligible AS (
        SELECT q.run_id, q.owner AS previous_owner, q.cancel_action FROM run_queue q
        WHERE q.available_at <= clock_timestamp()
          AND (q.owner IS NULL OR q.lease_expires_at < clock_timestamp())
          AND NOT EXISTS (
              SELECT 1 FROM run_queue e
              WHERE e.thread_id = q.thread_id AND (e.queued_at, e.run_id) < (q.queued_at, q.run_id))
        ORDER BY q.queued_at, q.run_id
        LIMIT :limit
        FOR UPDATE OF q SKIP LOCKED
    )
    UPDATE run_queue u SET owner = :owner, lease_expires_at = clock_timestamp() + make_interval(secs => :lease)
    FROM eligible WHERE u.run_id = eligible.run_id
    RETURNING u.run_id, eligible.previous_owner, eligible.cancel_action
    """
)
RENEW = text(
    "UPDATE run_queue SET lease_expires_at = clock_timestamp() + make_interval(secs => :lease) "
    "WHERE owner = :owner AND run_id IN :ids RETURNING run_id, cancel_action"
).bindparams(bindparam("ids", expanding=True))
EXPIRE_OWN = text(
    "UPDATE run_queue SET lease_expires_at = clock_timestamp() WHERE owner = :owner RETURNING run_id"
)
RELEASE = text(
    "UPDATE run_queue SET owner = NULL, lease_expires_at = NULL WHERE owner = :owner AND run_id IN :ids"
).bindparams(bindparam("ids", expanding=True))
FINISH = text("DELETE FROM run_queue WHERE run_id = :run_id AND (owner = :owner OR owner IS NULL) RETURNING run_id")
LOCK_RUN = text(
    "SELECT owner, lease_expires_at < clock_timestamp() AS expired FROM run_queue WHERE run_id = :run_id FOR UPDATE"
)
ASK_CANCEL = text("UPDATE run_queue SET cancel_action = :action WHERE run_id = :run_id")
DROP = text("DELETE FROM run_queue WHERE run_id = :run_id")
STILL_QUEUED = text("SELECT run_id FROM run_queue WHERE run_id IN :ids").bindparams(bindparam("ids", expanding=True))
IS_QUEUED = text("SELECT owner FROM run_queue WHERE run_id = :run_id")
CANCELLABLE = text(
    "SELECT q.run_id, q.thread_id, r.status FROM run_queue q JOIN runs r ON r.run_id = q.run_id "
    "WHERE (CAST(:thread_id AS VARCHAR) IS NULL OR q.thread_id = :thread_id)"
)


@dataclass
class Claimed:
    """A run this replica just claimed: `previous_owner` is set when its last owner's lease ran out."""

    run_id: str
    previous_owner: str | None
    cancel_action: str | None


def notify(conn: Connection, payload: str) -> None:
    conn.execute(NOTIFY, {"payload": payload})


def notify_events(conn: Connection, run_ids: Iterable[str]) -> None:
    """`e id id ...`, in as many notifications as the payload limit needs."""
    batch: list[str] = []
    size = 1
    for run_id in dict.fromkeys(run_ids):
        if batch and size + len(run_id) + 1 > NOTIFY_LIMIT:
            notify(conn, "e " + " ".join(batch))
            batch, size = [], 1
        batch.append(run_id)
        size += len(run_id) + 1
    if batch:
        notify(conn, "e " + " ".join(batch))


class QueueRepo:
    """Run-queue statements; each method is one short transaction unless given a connection."""

    def __init__(self, db: Database, owner: str, lease_s: float) -> None:
        self.db = db
        self.owner = owner
        self.lease_s = lease_s

    def thread_active(self, thread_id: str, conn: Connection | None = None) -> list[str]:
        """The unfinished runs of a thread, oldest first."""
        if conn is not None:
            return [r[0] for r in conn.execute(THREAD_ACTIVE, {"thread_id": thread_id})]
        with self.db.engine.connect() as own:
            return [r[0] for r in own.execute(THREAD_ACTIVE, {"thread_id": thread_id})]

    def enqueue(self, conn: Connection, run_id: str, thread_id: str, *, claim: bool, delay_s: float) -> None:
        conn.execute(ENQUEUE, {
            "run_id": run_id, "thread_id": thread_id, "delay": float(delay_s), "lease": self.lease_s,
            "owner": self.owner if claim else None,
        })
        if not claim:
            notify(conn, "q")

    def claim(self, limit: int) -> list[Claimed]:
        if limit <= 0:
            return []
        with self.db.begin() as conn:
            rows = conn.execute(CLAIM, {"limit": limit, "owner": self.owner, "lease": self.lease_s}).all()
        return [Claimed(r[0], r[1], r[2]) for r in rows]

    def renew(self, run_ids: list[str]) -> dict[str, str | None]:
        """Extend the leases of the runs this process holds; returns {run_id: cancel_action} of those
        it still owns (only these ids: a restarted replica must not keep its dead predecessor's runs)."""
        if not run_ids:
            return {}
        with self.db.begin() as conn:
            rows = conn.execute(RENEW, {"owner": self.owner, "lease": self.lease_s, "ids": run_ids})
            return {r[0]: r[1] for r in rows}

    def expire_own(self) -> list[str]:
        """At start-up: runs still leased to this replica's name belong to a dead predecessor
        (same THINKROOM_REPLICA_ID); free them for claiming now instead of after the lease."""
        with self.db.begin() as conn:
            freed = [r[0] for r in conn.execute(EXPIRE_OWN, {"owner": self.owner})]
            if freed:
                notify(conn, "q")
        return freed

    def release(self, run_ids: list[str]) -> None:
        """Give runs back (graceful shutdown): another replica claims them at once."""
        if not run_ids:
            return
        with self.db.begin() as conn:
            conn.execute(RELEASE, {"owner": self.owner, "ids": run_ids})
            notify(conn, "q")

    def finish(self, conn: Connection, run_id: str) -> bool:
        """Delete the run's row if this replica owns it (or nobody does); False means it lost the run."""
        found = conn.execute(FINISH, {"run_id": run_id, "owner": self.owner}).first() is not None
        if found:
            notify(conn, f"d {run_id}")
        return found

    def still_queued(self, run_ids: list[str]) -> set[str]:
        if not run_ids:
            return set()
        with self.db.engine.connect() as conn:
            return {r[0] for r in conn.execute(STILL_QUEUED, {"ids": run_ids})}

    def is_queued(self, run_id: str) -> bool:
        with self.db.engine.connect() as conn:
            return conn.execute(IS_QUEUED, {"run_id": run_id}).first() is not None

    def lock_run(self, conn: Connection, run_id: str) -> tuple[str | None, bool] | None:
        """(owner, lease expired) of an unfinished run, locked for this transaction; None if finished."""
        row = conn.execute(LOCK_RUN, {"run_id": run_id}).first()
        return None if row is None else (row[0], bool(row[1]))

    def ask_cancel(self, conn: Connection, run_id: str, action: str) -> None:
        conn.execute(ASK_CANCEL, {"run_id": run_id, "action": action})
        notify(conn, f"c {run_id} {action}")

    def drop(self, conn: Connection, run_id: str) -> None:
        conn.execute(DROP, {"run_id": run_id})
        notify(conn, f"d {run_id}")

    def cancellable(self, thread_id: str | None) -> list[tuple[str, str, str]]:
        """(run_id, thread_id, status) of every unfinished run, optionally of one thread."""
        with self.db.engine.connect() as conn:
            return [(r[0], r[1], r[2]) for r in conn.execute(CANCELLABLE, {"thread_id": thread_id})]


def lock_thread(conn: Connection, thread_id: str) -> bool:
    """Serialise run creation on one thread across replicas (until the transaction ends)."""
    return conn.execute(LOCK_THREAD, {"thread_id": thread_id}).first() is not None
