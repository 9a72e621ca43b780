"""`thinkroom db upgrade|current`: the database schema's revision (Alembic), on SQLite or PostgreSQL.

`thinkroom serve` migrates on start-up as well; these commands let an operator do it first
(e.g. once before starting several replicas) and see where a database stands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from .common import FAILURE_EXIT, console, fail, settings_or_exit

app = typer.Typer(help="Database schema: upgrade it, or show its revision.", no_args_is_help=True)
T = TypeVar("T")


def _where(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _guarded(work: Callable[[], T], url: str) -> T:
    from server.db.migrate import SchemaError

    try:
        return work()
    except SchemaError as exc:
        fail(str(exc), FAILURE_EXIT)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        fail(f"cannot use the database at {_where(url)}: {reason}", FAILURE_EXIT)


@app.command("upgrade")
def upgrade_command() -> None:
    """Create or upgrade the schema to this version's head revision (safe to run twice)."""
    from server.db.engine import Database
    from server.db.migrate import upgrade

    url = settings_or_exit().database_url

    def work() -> tuple[str | None, str]:
        db = Database(url, migrate=False)
        try:
            return upgrade(db.engine)
        finally:
            db.close()

    before, after = _guarded(work, url)
    if before == after:
        console.print(f"{_where(url)}: already at revision {after} (head)", soft_wrap=True)
    else:
        origin = before or "an empty or pre-migration database"
        console.print(f"{_where(url)}: upgraded from {origin} to {after}", soft_wrap=True)


@app.command("current")
def current_command() -> None:
    """Show the database's revision and whether it is this version's head."""
    from server.db.engine import Database
    from server.db.migrate import HEAD, current

    url = settings_or_exit().database_url

    def work() -> str | None:
        db = Database(url, migrate=False)
        try:
            return current(db.engine)
        finally:
            db.close()

    revision = _guarded(work, url)
    if revision is None:
        console.print(
            f"{_where(url)}: no revision (empty, or made before migrations); run `thinkroom db upgrade`", soft_wrap=True
        )
    elif revision == HEAD:
        console.print(f"{_where(url)}: {revision} (head)", soft_wrap=True)
    else:
        console.print(f"{_where(url)}: {revision} (head is {HEAD}; run `thinkroom db upgrade`)", soft_wrap=True)
