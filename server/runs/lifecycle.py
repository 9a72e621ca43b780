"""Start-up and shut-down of the Agent Protocol services for the app's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from agents.settings import Settings
from server.db import Database
from workflows.checkpoint import open_checkpointer
from workflows.registry import WORKFLOWS, register_extra

from .manager import RunManager


def load_extra_graphs(settings: Settings) -> None:
    for path in settings.extra_graphs:
        spec = register_extra(path)
        WORKFLOWS.setdefault(spec.name, spec)


@asynccontextmanager
async def agent_protocol(app: FastAPI, settings: Settings) -> AsyncIterator[RunManager]:
    """Open the database and the checkpointer, resume unfinished runs; stop them on exit."""
    load_extra_graphs(settings)
    db = Database(settings.database_url)
    async with open_checkpointer(settings.checkpoint_path) as saver:
        manager = RunManager(db, saver, app.state.gateway, settings.max_workers)
        app.state.db = db
        app.state.runs = manager
        await manager.start()
        try:
            yield manager
        finally:
            await manager.stop()
            db.close()
