"""CronRepo on SQLite and PostgreSQL: which crons are due, and a slot claimed by many
concurrent callers (replicas) is won by exactly one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.db import Database
from server.db.cron_tables import CronRow
from server.db.crons import CronRepo
from tests.postgres import PostgresServer

SLOT = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)
CALLERS = 8


@pytest.fixture(params=["sqlite", "postgresql"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CronRepo]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/thinkroom.db"
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        url = server.database()
    db = Database(url)
    yield CronRepo(db)
    db.close()


def cron(cron_id: str, next_run: datetime | None, enabled: bool = True) -> CronRow:
    return CronRow(cron_id=cron_id, assistant_id="a", schedule="* * * * * *", next_run_date=next_run, enabled=enabled)


def test_due_lists_enabled_crons_whose_slot_has_come_oldest_first(repo: CronRepo) -> None:
    repo.create(cron("later", SLOT + timedelta(seconds=1)))
    repo.create(cron("due", SLOT))
    repo.create(cron("older", SLOT - timedelta(minutes=5)))
    repo.create(cron("disabled", SLOT - timedelta(minutes=1), enabled=False))
    repo.create(cron("over", None))
    assert [row.cron_id for row in repo.due(SLOT)] == ["older", "due"]
    assert repo.earliest() == SLOT - timedelta(minutes=5)


def test_a_slot_is_claimed_once_among_concurrent_callers(repo: CronRepo) -> None:
    repo.create(cron("c", SLOT))
    following = SLOT + timedelta(seconds=1)
    start = threading.Barrier(CALLERS)

    def claim(_: int) -> bool:
        start.wait()
        return repo.claim("c", SLOT, following)

    with ThreadPoolExecutor(CALLERS) as pool:
        won = list(pool.map(claim, range(CALLERS)))
    assert won.count(True) == 1
    assert repo.get("c").next_run_date == following  # type: ignore[union-attr]
    assert repo.claim("c", SLOT, following) is False  # a stale slot is never fired again
    assert repo.claim("c", following, None) is True  # the next one is, and then the cron is over
    assert repo.due(following + timedelta(days=1)) == []


def test_a_disabled_cron_is_not_claimed(repo: CronRepo) -> None:
    repo.create(cron("off", SLOT, enabled=False))
    assert repo.claim("off", SLOT, SLOT + timedelta(seconds=1)) is False
