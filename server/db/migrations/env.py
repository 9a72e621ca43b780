"""Alembic's environment: migrations run on the connection server.db.migrate hands over.

`target_metadata` is every SQLModel table, so `alembic revision --autogenerate` (see
server.db.migrate.autogenerate) writes the difference between the models and a database.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from server.db import arena_tables, cron_tables, models, queue_table  # noqa: F401  - registers the tables

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `thinkroom db upgrade` (server.db.migrate), not the alembic CLI")
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters a table by copying it
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
