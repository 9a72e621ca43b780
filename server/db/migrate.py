"""Schema migrations (Alembic) for both engines, run at start-up and by `thinkroom db`.

- A new, empty database is built from the models in one go and stamped at the head revision
  (Alembic's recipe for "building an up to date database from scratch"; a test checks that
  this equals running every migration).
- A database at an older revision is upgraded in place. A SQLite database made before
  migrations existed (the four tables, no `alembic_version`) is stamped at the baseline
  revision first, then upgraded.
- A database at a revision this code does not know (a newer thinkroom migrated it) is refused.

On PostgreSQL the whole upgrade is one transaction holding an advisory lock, so replicas that
start together migrate once (SQLite has one server process).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

log = logging.getLogger("thinkroom.db")

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"  # the schema create_all made before migrations existed
HEAD = "0005"  # kept equal to the scripts' head by a test: the start-up check needs no Alembic import
MIGRATION_LOCK = 0x7468696E6B  # pg_advisory_xact_lock key ("think")
LEGACY_TABLE = "threads"
# Alembic's `context` is one module-level proxy: two migrations at once in one process (two apps
# starting on their own threads, as tests do) would trample each other's.
_ALEMBIC_LOCK = threading.RLock()


class SchemaError(RuntimeError):
    """The database's schema cannot be used or upgraded by this version of thinkroom."""


def _config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision of the migration scripts."""
    from alembic.script import ScriptDirectory

    config = _config(None)  # type: ignore[arg-type]
    return str(ScriptDirectory.from_config(config).get_current_head())


def _version(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def current(engine: Engine) -> str | None:
    """The database's revision: None for an empty database or one made before migrations."""
    with engine.connect() as conn:
        return _version(conn)


def _lock(conn: Connection) -> None:
    """Replicas starting together on one PostgreSQL database migrate one after the other."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def _stamp(conn: Connection, revision: str) -> None:
    from alembic import command

    command.stamp(_config(conn), revision)


def upgrade(engine: Engine, target: str = "head", *, replay: bool = False) -> tuple[str | None, str]:
    """Bring the database to `target`; returns (revision before, revision after).

    `replay` runs every migration script on an empty database instead of building it from the
    models (the tests compare the two)."""
    with _ALEMBIC_LOCK, engine.begin() as conn:
        _lock(conn)
        before = _version(conn)
        if before is None:
            tables = set(inspect(conn).get_table_names())
            if LEGACY_TABLE not in tables and target == "head" and not replay:
                SQLModel.metadata.create_all(conn)  # new database: the models as they are now
                _stamp(conn, "head")
                log.info("created the database schema at revision %s", HEAD)
                return None, _version(conn) or HEAD
            if LEGACY_TABLE in tables:
                log.info("stamping a database made before migrations at the baseline revision %s", BASELINE)
                _stamp(conn, BASELINE)
        elif before != HEAD and before not in _known():
            raise SchemaError(
                f"the database is at schema revision {before!r}, which this thinkroom does not know "
                "(a newer version migrated it); upgrade thinkroom"
            )
        from alembic import command

        command.upgrade(_config(conn), target)
        after = _version(conn) or ""
        if after != before:
            log.info("migrated the database schema from %s to %s", before, after)
        return before, after


def _known() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_config(None)).walk_revisions()}  # type: ignore[arg-type]


def ensure_schema(engine: Engine) -> None:
    """Start-up: a database at the head revision is left alone (one query); anything else is migrated."""
    try:
        if current(engine) == HEAD:
            return
    except Exception:  # noqa: BLE001 - e.g. a half-made alembic_version table: let upgrade() report
        pass
    upgrade(engine)
