"""A throwaway PostgreSQL server for the scale-out tests: Debian's `postgresql` binaries
(installed by `make system-deps`), `initdb` in a temp dir and `postgres` on a free loopback
port, run as an unprivileged user (`postgres` when the tests run as root, as CI does).

Tests that need it skip with the reason when the binaries (or an unprivileged user) are missing.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from tests.server.helpers import free_port

SKIP_NO_POSTGRES = "PostgreSQL is not installed (Debian package `postgresql`; `make system-deps` installs it)"


def postgres_bin() -> Path | None:
    """The directory with initdb and postgres: Debian's newest /usr/lib/postgresql/N/bin, else PATH."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if (Path(candidate) / "initdb").is_file() and (Path(candidate) / "postgres").is_file():
            return Path(candidate)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("postgres"):
        return Path(initdb).resolve().parent
    return None


def _demote() -> tuple[Callable[[], None] | None, pwd.struct_passwd | None]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` (or `nobody`) user."""
    if os.geteuid() != 0:
        return None, None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            user = pwd.getpwnam(name)

            def switch(user: pwd.struct_passwd = user) -> None:
                os.setgid(user.pw_gid)
                os.setgroups([])
                os.setuid(user.pw_uid)

            return switch, user
    pytest.skip("tests run as root and there is no unprivileged `postgres` or `nobody` user to run PostgreSQL as")


class PostgresServer:
    """One `postgres` process; `database()` makes a fresh, empty database and returns its URL."""

    def __init__(self) -> None:
        bindir = postgres_bin()
        if bindir is None:
            pytest.skip(SKIP_NO_POSTGRES)
        self.bindir = bindir
        self.switch, user = _demote()
        self.root = Path(tempfile.mkdtemp(prefix="thinkroom-pg-"))  # under /tmp: reachable by that user
        if user is not None:
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self.data = self.root / "data"
        self.port = free_port()
        self.user = "thinkroom"
        self.proc: subprocess.Popen[bytes] | None = None

    def _run(self, *argv: str) -> None:
        result = subprocess.run(
            [str(self.bindir / argv[0]), *argv[1:]], preexec_fn=self.switch, capture_output=True, text=True,
            check=False, timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {result.stderr or result.stdout}")

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8", "--no-sync",
                  "--locale=C")
        log = (self.root / "postgres.log").open("wb")
        self.proc = subprocess.Popen(
            [
                str(self.bindir / "postgres"), "-D", str(self.data), "-p", str(self.port), "-k", str(self.root),
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=64MB",
            ],
            preexec_fn=self.switch, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited: {(self.root / 'postgres.log').read_text()}")
            try:
                with psycopg.connect(self.dsn("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def dsn(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def database(self, name: str | None = None) -> str:
        """A new empty database; its SQLAlchemy URL (psycopg 3 driver), as THINKROOM_DATABASE_URL takes it."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown: disconnect clients, no waiting
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session; each test takes its own database with `.database()`."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
