"""A thread's stream (`GET /threads/{thread_id}/stream`, the SDK's `threads.join_stream`):
the events of the thread's runs, one run after another, as they happen.

Without Last-Event-ID it starts with the thread's unfinished runs (each from its first event)
and then follows every run created later; it stays open until the client leaves or the thread
is deleted. After each run a `run_done` event ({"run_id", "status"}) says how it ended.

Event ids are `<run_id>:<seq>` (and `<run_id>:done` for `run_done`), so Last-Event-ID resumes
right after that event: the rest of that run, then the runs created after it (finished ones
are replayed from the database).

Modes (`stream_mode`, several allowed): `run_modes` (default) passes every event of the runs;
`lifecycle` only each run's start (`metadata`), `error` and `run_done`; `state_update` only
the thread state after each step (`values`) and `run_done`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from server.db.models import RunRow
from server.errors import ApiError

if TYPE_CHECKING:
    from .manager import RunManager

THREAD_MODES = ("run_modes", "lifecycle", "state_update")
MODE_EVENTS: dict[str, frozenset[str] | None] = {
    "run_modes": None,  # everything
    "lifecycle": frozenset({"metadata", "error", "run_done"}),
    "state_update": frozenset({"values", "run_done"}),
}
RECENT = 1000  # runs of the thread looked at on each pass (newest first)
POLL_S = 1.0  # runs created by another replica are noticed at least this often
ThreadEvent = tuple[str, str, str]  # SSE id, event name, JSON data


@dataclass(frozen=True)
class Resume:
    """Where a Last-Event-ID points: a run, and the last event of it already seen (None: all of it)."""

    run_id: str
    seq: int | None


def wanted_events(modes: list[str]) -> frozenset[str] | None:
    """The event names the modes pass (None: all); 422 naming an unknown mode."""
    modes = [mode for mode in modes if mode] or ["run_modes"]
    unknown = [mode for mode in modes if mode not in THREAD_MODES]
    if unknown:
        message = f"unknown mode(s) {', '.join(unknown)} (modes: {', '.join(THREAD_MODES)})"
        raise ApiError(422, "invalid_input", f"invalid input: stream_mode: {message}",
                       fields=[{"field": "stream_mode", "message": message}])
    names: set[str] = set()
    for mode in modes:
        events = MODE_EVENTS[mode]
        if events is None:
            return None
        names |= events
    return frozenset(names)


def parse_resume(manager: RunManager, thread_id: str, last_event_id: str | None) -> Resume | None:
    """A Last-Event-ID of this stream (`<run_id>:<seq>` or `<run_id>:done`); 422 if it names no run here."""
    if not last_event_id:
        return None
    run_id, _, seq = last_event_id.rpartition(":")
    if not run_id or not (seq == "done" or seq.isdigit()) or manager.runs.get(run_id, thread_id) is None:
        message = "not an event id of this thread's stream (expected '<run_id>:<seq>' of one of its runs)"
        raise ApiError(422, "invalid_input", f"invalid input: Last-Event-ID: {message}",
                       fields=[{"field": "Last-Event-ID", "message": message}])
    return Resume(run_id, None if seq == "done" else int(seq))


def _oldest_first(manager: RunManager, thread_id: str) -> list[RunRow]:
    rows = manager.runs.for_thread(thread_id, limit=RECENT)
    return sorted(rows, key=lambda row: (row.created_at, row.run_id))


async def thread_events(
    manager: RunManager, thread_id: str, wanted: frozenset[str] | None, resume: Resume | None = None
) -> AsyncIterator[ThreadEvent]:
    """The thread's run events in order, then each later run's, until the thread is deleted."""
    rows = _oldest_first(manager, thread_id)
    if resume is None:  # from now on: finished runs are history
        done = {row.run_id for row in rows if row.status not in ("pending", "running")}
    else:  # everything up to the resumed run has been seen (and all of it, for `done`)
        ids = [row.run_id for row in rows]
        cut = ids.index(resume.run_id) + 1 if resume.run_id in ids else 0
        done = set(ids[: cut - 1 if resume.seq is not None else cut]) if cut else set()
    seen: dict[str, int] = {resume.run_id: resume.seq} if resume is not None and resume.seq is not None else {}
    while True:
        opened = manager.hub.opened  # taken before looking, so a run made meanwhile still wakes us
        if not manager.threads.exists(thread_id):
            return
        todo = [row for row in _oldest_first(manager, thread_id) if row.run_id not in done]
        if not todo:
            await _wait(opened)
            continue
        run_id = todo[0].run_id
        async for seq, event, data in manager.hub.replay(run_id, seen.get(run_id, -1)):
            seen[run_id] = seq
            if wanted is None or event in wanted:
                yield f"{run_id}:{seq}", event, data
        row = manager.runs.get(run_id)
        if row is not None and row.status in ("pending", "running"):
            await _wait(opened)  # held by another replica, or between its queue and its stream: look again
            continue
        done.add(run_id)
        seen.pop(run_id, None)
        if row is not None and (wanted is None or "run_done" in wanted):  # a rolled-back run is gone
            yield f"{run_id}:done", "run_done", json.dumps({"run_id": run_id, "status": row.status})


async def _wait(opened: asyncio.Event) -> None:
    """Until a run's stream opens in this process, or POLL_S (runs made by other replicas)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(opened.wait(), POLL_S)

__all__ = ["THREAD_MODES", "Resume", "parse_resume", "thread_events", "wanted_events"]
