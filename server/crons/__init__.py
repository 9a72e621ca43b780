"""Crons (`client.crons.*`): schedules persisted in the database, fired as ordinary runs."""

from __future__ import annotations

from typing import Any

from server.db import Database
from server.db.crons import CronRepo
from server.runs.manager import RunManager

from .scheduler import CronScheduler
from .service import CronService


def start_crons(state: Any, db: Database, runs: RunManager, tick_s: float) -> CronScheduler:
    """Start this replica's scheduler; the cron routes find their service at `state.crons`."""
    repo = CronRepo(db)
    scheduler = CronScheduler(repo, runs, tick_s)
    state.crons = CronService(repo, runs, scheduler.wake)
    scheduler.start()
    return scheduler


__all__ = ["CronScheduler", "CronService", "start_crons"]
