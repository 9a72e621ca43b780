"""Alembic migrations: the scripts build exactly the models' schema on both engines, a
pre-migration SQLite database upgrades in place keeping its rows, start-up and `thinkroom db`
report and upgrade, and a database from a newer thinkroom is refused."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from server.db.engine import Database, normalise_url
from server.db.migrate import BASELINE, HEAD, SchemaError, current, head, upgrade
from server.db.threads import ThreadRepo
from tests.postgres import PostgresServer
from tests.server.helpers import run_cli

# The four tables as `SQLModel.metadata.create_all` made them before migrations (SQLite DDL).
LEGACY_SCHEMA = """
CREATE TABLE assistants (assistant_id VARCHAR NOT NULL, graph_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
  description VARCHAR, config JSON NOT NULL, context JSON NOT NULL, metadata JSON NOT NULL, version INTEGER NOT NULL,
  builtin BOOLEAN NOT NULL, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, PRIMARY KEY (assistant_id));
CREATE INDEX ix_assistants_graph_id ON assistants (graph_id);
CREATE TABLE threads (thread_id VARCHAR NOT NULL, metadata JSON NOT NULL, status VARCHAR NOT NULL, "values" JSON,
  interrupts JSON NOT NULL, config JSON NOT NULL, error JSON, temporary BOOLEAN NOT NULL, created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL, PRIMARY KEY (thread_id));
CREATE INDEX ix_threads_status ON threads (status);
CREATE INDEX ix_threads_updated_at ON threads (updated_at);
CREATE TABLE runs (run_id VARCHAR NOT NULL, thread_id VARCHAR NOT NULL, assistant_id VARCHAR NOT NULL,
  graph_id VARCHAR NOT NULL, status VARCHAR NOT NULL, metadata JSON NOT NULL, multitask_strategy VARCHAR NOT NULL,
  kwargs JSON NOT NULL, output JSON, error JSON, usage JSON, cancel_reason VARCHAR, attempt INTEGER NOT NULL,
  created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, started_at DATETIME, ended_at DATETIME,
  PRIMARY KEY (run_id));
CREATE INDEX ix_runs_status ON runs (status);
CREATE INDEX ix_runs_thread_created ON runs (thread_id, created_at);
CREATE INDEX ix_runs_thread_id ON runs (thread_id);
CREATE TABLE run_events (id INTEGER NOT NULL, run_id VARCHAR NOT NULL, seq INTEGER NOT NULL, event VARCHAR NOT NULL,
  data TEXT NOT NULL, created_at DATETIME NOT NULL, PRIMARY KEY (id),
  CONSTRAINT uq_run_events_run_seq UNIQUE (run_id, seq));
CREATE INDEX ix_run_events_run_id ON run_events (run_id);
INSERT INTO threads VALUES ('t-old', '{"who": "before migrations"}', 'idle', NULL, '{}', '{}', NULL, 0,
  '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000');
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/thinkroom.db"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.database()


@pytest.fixture
def engine(empty_url: str) -> Iterator[Engine]:
    engine = create_engine(normalise_url(empty_url))
    yield engine
    engine.dispose()


def differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata))


def test_head_constant_is_the_scripts_head() -> None:
    assert head() == HEAD


def test_running_every_migration_builds_the_models_schema(engine: Engine) -> None:
    assert upgrade(engine, replay=True) == (None, HEAD)
    assert differences(engine) == []
    assert current(engine) == HEAD


def test_a_new_database_from_the_models_equals_the_migrated_one(engine: Engine) -> None:
    assert upgrade(engine) == (None, HEAD)  # create_all + stamp
    assert differences(engine) == []
    assert upgrade(engine) == (HEAD, HEAD)  # a second run changes nothing


def test_a_sqlite_database_from_before_migrations_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "thinkroom.db"
    legacy = sqlite3.connect(path)
    legacy.executescript(LEGACY_SCHEMA)
    legacy.close()
    db = Database(f"sqlite:///{path}")  # what `thinkroom serve` does on start-up
    assert current(db.engine) == HEAD
    assert differences(db.engine) == []
    kept = ThreadRepo(db).get("t-old")
    assert kept is not None and kept.meta == {"who": "before migrations"}
    assert {"evals", "run_queue"} <= set(inspect(db.engine).get_table_names())
    db.close()


def test_the_baseline_revision_is_the_pre_migration_schema(tmp_path: Path) -> None:
    """Stamping a legacy database at BASELINE is right only if BASELINE builds those same tables."""
    engine = create_engine(f"sqlite:///{tmp_path}/migrated.db")
    upgrade(engine, target=BASELINE, replay=True)
    legacy = create_engine(f"sqlite:///{tmp_path}/legacy.db")
    with legacy.begin() as conn:
        for statement in LEGACY_SCHEMA.split(";"):
            if statement.strip() and not statement.strip().startswith("INSERT"):
                conn.exec_driver_sql(statement)

    def shape(e: Engine) -> dict[str, object]:
        found = inspect(e)
        return {
            t: (
                [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(t)],
                sorted((i["name"], tuple(i["column_names"])) for i in found.get_indexes(t)),
            )
            for t in found.get_table_names() if t != "alembic_version"
        }

    assert shape(engine) == shape(legacy)


def test_a_database_from_a_newer_thinkroom_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/thinkroom.db"
    Database(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaError, match="9999"):
        Database(url)
    result = run_cli("db", "upgrade", THINKROOM_DATABASE_URL=url)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: the database is at schema revision '9999', which this thinkroom does not know (a newer version "
        "migrated it); upgrade thinkroom"
    ]


def test_cli_current_and_upgrade(empty_url: str) -> None:
    before = run_cli("db", "current", THINKROOM_DATABASE_URL=empty_url)
    assert before.returncode == 0 and "no revision" in before.stdout
    upgraded = run_cli("db", "upgrade", THINKROOM_DATABASE_URL=empty_url)
    assert upgraded.returncode == 0 and f"to {HEAD}" in upgraded.stdout
    again = run_cli("db", "upgrade", THINKROOM_DATABASE_URL=empty_url)
    assert f"already at revision {HEAD}" in again.stdout
    after = run_cli("db", "current", THINKROOM_DATABASE_URL=empty_url)
    assert after.returncode == 0 and f"{HEAD} (head)" in after.stdout


def test_cli_names_an_unusable_database_in_one_line() -> None:
    unsupported = run_cli("db", "current", THINKROOM_DATABASE_URL="mysql://db/thinkroom")
    assert unsupported.returncode == 2
    assert unsupported.stderr.startswith("error: THINKROOM_DATABASE_URL: 'mysql' is not supported")
    refused = run_cli("db", "current", THINKROOM_DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    assert refused.returncode == 1
    assert len(refused.stderr.strip().splitlines()) == 1
    assert refused.stderr.startswith("error: cannot use the database at postgresql://nobody@127.0.0.1:1/none")
