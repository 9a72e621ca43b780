"""Start-up and shut-down of the Agent Protocol services for the app's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from agents.settings import Settings
from server.crons import start_crons
from server.db import Database
from server.store import open_store
from workflows.checkpoint import open_checkpointer
from workflows.registry import WORKFLOWS, register_extra

from .manager import RunManager


def load_extra_graphs(settings: Settings) -> None:
    for path in settings.extra_graphs:
        spec = register_extra(path)
        WORKFLOWS.setdefault(spec.name, spec)


@asynccontextmanager
async def open_manager(db: Database, settings: Settings, gateway: Any) -> AsyncIterator[RunManager]:
    """SQLite: checkpoints in THINKROOM_CHECKPOINT_PATH and runs in this process. PostgreSQL:
    checkpoints in the same database and the run queue shared by every replica."""
    if db.is_postgres:
        from workflows.checkpoint_postgres import open_postgres_checkpointer

        from .cluster import ClusterRunManager

        async with open_postgres_checkpointer(db.url, max_connections=settings.max_workers + 4) as pg_saver:
            yield ClusterRunManager(db, pg_saver, gateway, settings.max_workers)
        return
    async with open_checkpointer(settings.checkpoint_path) as saver:
        yield RunManager(db, saver, gateway, settings.max_workers)


@asynccontextmanager
async def agent_protocol(app: FastAPI, settings: Settings) -> AsyncIterator[RunManager]:
    """Open the database and the checkpointer, resume unfinished runs; stop them on exit."""
    load_extra_graphs(settings)
    db = Database(settings.database_url)
    async with open_store(settings) as store, open_manager(db, settings, app.state.gateway) as manager:
        manager.graphs.use_store(store)
        app.state.db = db
        app.state.store = store
        app.state.runs = manager
        await manager.start()
        crons = start_crons(app.state, db, manager, settings.cron_tick_s)
        try:
            yield manager
        finally:
            await crons.stop()
            await manager.stop()
            db.close()
