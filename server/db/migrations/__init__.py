"""Alembic migrations of the SQLModel tables, for SQLite and PostgreSQL (see server.db.migrate)."""
