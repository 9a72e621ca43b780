"""One SQLModel engine per process: SQLite (the default) or PostgreSQL.

SQLite: WAL mode, and a lock that serialises every write. SQLite allows one writer at a
time; taking a process-wide lock around short write transactions (and a busy timeout for
other processes) means no write is lost and no request ever sees "database is locked".

PostgreSQL (`postgresql+psycopg://...`, for several replicas on one database): a small
connection pool, sessions in UTC, and no process lock (the server orders writers).

The schema is created or migrated when the database is opened (server.db.migrate).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, create_engine

from . import arena_tables, cron_tables, models, queue_table  # noqa: F401  - registers the tables on SQLModel.metadata
from .migrate import ensure_schema

BUSY_TIMEOUT_S = 30
DIALECTS = ("sqlite", "postgresql")


def normalise_url(url: str) -> str:
    """`postgresql://` means psycopg 3 (the driver thinkroom ships), not SQLAlchemy's default psycopg2."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in DIALECTS or parsed.drivername.startswith("postgresql+psycopg2"):
        raise ValueError(
            f"THINKROOM_DATABASE_URL: {parsed.drivername!r} is not supported; use sqlite:///path "
            "or postgresql+psycopg://user:password@host/database"
        )
    return parsed.render_as_string(hide_password=False)


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def encode_json(value: Any) -> str:
    """JSON columns through orjson: a run stores its state twice (output, thread values), and the
    standard library's encoder was a fifth of a chat turn's server time."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    """PRAGMAs for every pooled connection: WAL, a busy timeout and cheap durable commits."""
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """The engine plus `read()` / `write()` sessions; on SQLite, writes are serialised by one lock."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        url = normalise_url(url)
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        self.engine: Engine
        if self.dialect == "postgresql":
            self.engine = create_engine(
                url, pool_size=5, max_overflow=20, pool_pre_ping=True,
                connect_args={"options": "-c timezone=UTC"},
                json_serializer=encode_json, json_deserializer=orjson.loads,
            )
            self._write_lock: Any = contextlib.nullcontext()  # PostgreSQL orders concurrent writers itself
        else:
            path = _sqlite_path(url)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S},
                json_serializer=encode_json, json_deserializer=orjson.loads,
            )
            event.listen(self.engine, "connect", _on_connect)
            self._write_lock = threading.Lock()
        if migrate:
            ensure_schema(self.engine)

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A short transaction committed on exit (rolled back on error) under the write lock."""
        with self._write_lock, Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A core (non-ORM) write transaction: for the hot paths, where ORM sessions cost ~3x."""
        with self._write_lock, self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()
