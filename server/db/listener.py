"""LISTEN on PostgreSQL's `thinkroom` channel and hand each notification to a callback.

One connection per replica, outside the pool (a listening connection must stay open). If the
connection drops it is opened again; `on_reconnect` then lets the caller re-read whatever it
may have missed (notifications sent meanwhile are lost by design: they are hints, the tables
hold the truth).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import psycopg

from .queue import CHANNEL

log = logging.getLogger("thinkroom.db")
RETRY_S = 1.0


class Listener:
    def __init__(self, conninfo: str, on_notify: Callable[[str], None], on_reconnect: Callable[[], None]) -> None:
        self.conninfo = conninfo
        self.on_notify = on_notify
        self.on_reconnect = on_reconnect
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start listening; returns once LISTEN is in place (so nothing sent after start is missed)."""
        self._task = asyncio.create_task(self._run(), name="pg-listener")
        await self.ready.wait()

    async def _run(self) -> None:
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.ready.set()
                    if not first:
                        self.on_reconnect()
                    first = False
                    async for message in conn.notifies():
                        try:
                            self.on_notify(message.payload)
                        except Exception:  # one bad handler must not stop delivery
                            log.exception("handling notification %r failed", message.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the database went away: retry
                log.warning("listening for notifications failed (%s); retrying", exc)
                await asyncio.sleep(RETRY_S)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
