"""What `/api/evals` and `/api/arenas` share: a result row per run of their workflow, started,
resumed, watched and read the same way through the run manager."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from fastapi import Request
from pydantic import BaseModel

from server.db.arena_tables import ArenaRow
from server.db.models import EvalRow
from server.errors import ApiError, invalid_field
from server.runs import RunManager
from server.runs.manager import RunJob
from server.runs.schemas import RunCreate
from server.runs.serde import jsonable
from server.version import VERSION
from workflows.inputs import InvalidInput

from .store import ResultStore

RowT = TypeVar("RowT", EvalRow, ArenaRow)
SpecT = TypeVar("SpecT", bound=BaseModel)
StoreT = TypeVar("StoreT", bound=ResultStore[Any, Any])
STREAM_MODES: list[Any] = ["values", "custom"]
#: Tasks that settle a row when its run ends; kept so they are not collected while they wait.
_watchers: set[asyncio.Task[None]] = set()


def manager_of(request: Request) -> RunManager:
    manager: RunManager = request.app.state.runs
    return manager


class ResultRuns(Generic[StoreT, RowT, SpecT]):
    """The routes' shared steps for one workflow (`graph`) whose runs keep a result row (`noun`: eval, arena)."""

    def __init__(self, graph: str, store_type: type[StoreT]) -> None:
        self.graph, self.store_type = graph, store_type
        self.noun, self.unit = store_type.noun, store_type.unit

    def store(self, request: Request) -> StoreT:
        """One store per app, on the run manager's database."""
        db = request.app.state.db
        attr = f"{self.noun}_store"
        store: StoreT | None = getattr(request.app.state, attr, None)
        if store is None or store.repo.db is not db:
            store = self.store_type(db)
            setattr(request.app.state, attr, store)
        return store

    def found(self, store: StoreT, row_id: str) -> RowT:
        row: RowT | None = store.get(row_id)
        if row is None:
            raise ApiError(404, "not_found", f"{self.noun} {row_id!r} not found; GET /api/{self.noun}s lists them")
        return row

    async def current(self, request: Request, row_id: str) -> tuple[RowT, dict[str, Any] | None]:
        """The row (status settled) and its result as of now (None before its first finished step)."""
        store = self.store(request)
        row = self.found(store, row_id)
        return row, await store.current(row, manager_of(request).graphs.get(self.graph))

    def no_result_yet(self, row: RowT, status: int = 409) -> ApiError:
        row_id = ResultStore.row_id(row)
        message = f"{self.noun} {row_id!r} has no finished {self.unit} yet (it is {row.status})"
        return ApiError(status, "conflict" if status == 409 else "not_found", message)

    def links(self, row: RowT, **extra: str) -> dict[str, str]:
        base = f"/api/{self.noun}s/{ResultStore.row_id(row)}"
        out = {"self": base, **{name: f"{base}/{path}" for name, path in extra.items()}}
        if row.run_id and row.thread_id:
            run = f"/threads/{row.thread_id}/runs/{row.run_id}"
            out.update(run=run, stream=f"{run}/stream", cancel=f"{run}/cancel")
        return out

    @staticmethod
    def check_spec(spec: SpecT, parse_spec: Callable[[dict[str, Any]], Any]) -> None:
        """What the schema cannot say, as the workflow checks it: a 422 naming the field."""
        try:
            parse_spec(spec.model_dump())
        except InvalidInput as exc:
            raise invalid_field(exc.field or "body", exc.message) from None

    async def _settle_when_done(self, store: StoreT, job: RunJob, row_id: str) -> None:
        await job.done.wait()
        with contextlib.suppress(Exception):  # a shutting-down server: the next read settles it
            row = store.repo.get(row_id)
            if row is not None and row.run_id == job.run_id:
                store.settle(row)

    def watch(self, store: StoreT, job: RunJob, row_id: str) -> None:
        """Record the end as soon as the run ends (reads settle it too, e.g. after a restart)."""
        task = asyncio.ensure_future(self._settle_when_done(store, job, row_id))
        _watchers.add(task)
        task.add_done_callback(_watchers.discard)

    async def start_run(self, request: Request, thread_id: str, graph_input: dict[str, Any] | None,
                        row_id: str) -> RunJob:
        body = RunCreate(assistant_id=self.graph, input=graph_input, stream_mode=STREAM_MODES,
                         if_not_exists="create", metadata={f"{self.noun}_id": row_id})
        return await manager_of(request).create(thread_id, body)

    async def start(self, request: Request, spec: SpecT) -> RowT:
        """A new run of the workflow on a thread of its own (thread id = row id), and its row."""
        graph_input = jsonable(spec.model_dump(mode="json"))  # NotStorable (422) for an integer beyond 64 bits
        store = self.store(request)
        row_id = str(uuid.uuid4())
        job = await self.start_run(request, row_id, graph_input, row_id)
        row: RowT = store.start_api(row_id, spec, job.run_id, job.thread_id, VERSION)
        self.watch(store, job, row_id)
        return row

    async def resume(self, request: Request, row_id: str) -> RowT:
        """Continue a cancelled or failed run from its checkpoint, skipping what it had finished."""
        store = self.store(request)
        row = self.found(store, row_id)
        if row.source != "api" or not row.thread_id:
            raise ApiError(409, "conflict", f"{self.noun} {row_id!r} runs from the CLI; continue it with "
                                            f"thinkroom {self.noun} run --resume {row_id}")
        if row.status in ("running", "success"):
            raise ApiError(409, "conflict", f"{self.noun} {row_id!r} is {row.status}; "
                                            f"only an interrupted or failed {self.noun} resumes")
        job = await self.start_run(request, row.thread_id, None, row_id)
        updated: RowT = store.repo.update(row_id, status="running", run_id=job.run_id, error=None) or row
        self.watch(store, job, row_id)
        return updated


__all__ = ["STREAM_MODES", "ResultRuns", "manager_of"]
