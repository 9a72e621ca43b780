"""Live event streams of running runs: an ordered in-memory log that any number of
clients follow (the POST stream, join_stream, join), persisted to SQLite in batches.

Each event gets a per-run sequence number, used as the SSE id so a client can resume
with Last-Event-ID; finished runs are replayed from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from server.db.events import EventRepo, StoredEvent

from .serde import dumps

log = logging.getLogger("thinkroom.runs")
Event = tuple[int, str, str]  # seq, event name, JSON data


class RunStream:
    """One run's events in order; `follow` yields the stored ones, then live ones until closed."""

    def __init__(self, run_id: str, first_seq: int = 0) -> None:
        self.run_id = run_id
        self.events: list[Event] = []
        self.first_seq = first_seq
        self.unsaved: list[StoredEvent] = []
        self.closed = False
        self._changed = asyncio.Event()

    def publish(self, event: str, data: Any) -> None:
        seq = self.first_seq + len(self.events)
        payload = dumps(data)
        self.events.append((seq, event, payload))
        self.unsaved.append((self.run_id, seq, event, payload))
        self._wake()

    def close(self) -> None:
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def follow(self, after_seq: int = -1) -> AsyncIterator[Event]:
        index = max(0, after_seq + 1 - self.first_seq)
        while True:
            changed = self._changed
            while index < len(self.events):
                yield self.events[index]
                index += 1
            if self.closed:
                return
            await changed.wait()


class StreamHub:
    """The live streams, and the writer task that saves their new events every `interval`."""

    def __init__(self, events: EventRepo, interval: float = 0.1) -> None:
        self.events = events
        self.interval = interval
        self.live: dict[str, RunStream] = {}
        self._task: asyncio.Task[None] | None = None
        self.opened = asyncio.Event()  # set (then replaced) whenever a run's stream opens here

    def open(self, run_id: str, first_seq: int = 0) -> RunStream:
        stream = RunStream(run_id, first_seq)
        self.live[run_id] = stream
        self.opened.set()  # wakes thread streams waiting for their thread's next run
        self.opened = asyncio.Event()
        return stream

    def flush(self, stream: RunStream | None = None) -> None:
        """Save unsaved events (of one stream, or all) in one transaction."""
        streams = [stream] if stream is not None else list(self.live.values())
        batch: list[StoredEvent] = [event for item in streams for event in item.unsaved]
        self.events.append(batch)  # all on the event loop: nothing is published in between
        for item in streams:
            item.unsaved = []

    def finish(self, stream: RunStream) -> None:
        """Save what is left and close the stream; later readers use the database."""
        self.flush(stream)
        stream.close()
        self.live.pop(stream.run_id, None)

    def start(self) -> None:
        self._task = asyncio.create_task(self._writer(), name="run-event-writer")

    async def _writer(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                self.flush()
            except Exception:  # keep going: unsaved events stay in memory and the next flush retries
                log.exception("saving run events failed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.flush()

    async def replay(self, run_id: str, after_seq: int = -1) -> AsyncIterator[Event]:
        """Stored events, then live ones if the run is still streaming in this process."""
        stream = self.live.get(run_id)
        if stream is not None:
            if after_seq + 1 < stream.first_seq:  # a resumed run: its earlier events are on disk
                for event in self.events.since(run_id, after_seq):
                    if event[0] < stream.first_seq:
                        yield event
                        after_seq = event[0]
            async for event in stream.follow(after_seq):
                yield event
            return
        for event in self.events.since(run_id, after_seq):
            yield event
