"""`/api/arenas`: model and agent arenas as runs of the `arena` workflow, people's votes, ratings, exports, plots.

Creating an arena starts an ordinary run of the `arena` graph through the run manager, on a
thread of its own (thread id = arena id): it streams (`arena.item` custom events), can be
cancelled like any run, and resumes after a kill skipping the prompts it had finished. A
running arena's prompts are read from its checkpoint, so its pairs can be voted on as soon
as their prompt is done. People vote blind: `pairs/next` shows the prompt and answers A and
B, never who wrote them; a vote names the side preferred, and ratings are given from the
judge's outcomes, people's votes, and both together.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from server.arena import plots
from server.arena.export import export_json, export_pairs_csv, export_ratings_csv
from server.arena.store import ArenaStore
from server.arena.votes import SOURCES, Source, next_pair, ratings
from server.db.arena import DuplicateVote, as_api
from server.db.arena_tables import ArenaRow
from server.db.common import iso
from server.errors import MAX_OFFSET, ApiError
from server.runs import RunManager
from server.runs.manager import RunJob
from server.runs.schemas import RunCreate
from server.runs.serde import jsonable
from server.version import VERSION
from tools.evals.ratings import BOOTSTRAP_ROUNDS
from workflows.arena.schema import ArenaResult, ArenaSpec, RatingsView
from workflows.inputs import InvalidInput

router = APIRouter(prefix="/api/arenas", tags=["arenas"])
GRAPH = "arena"
STREAM_MODES: list[Any] = ["values", "custom"]
_watchers: set[asyncio.Task[None]] = set()


class VoteIn(BaseModel):
    """A person's vote on a blind pair: the side whose answer is better, or a tie."""

    model_config = ConfigDict(extra="forbid")
    pair_id: str = Field(min_length=1, max_length=300, description="from GET /api/arenas/{id}/pairs/next")
    winner: Literal["a", "b", "tie"]


def invalid(field: str, message: str) -> ApiError:
    """A 422 in the shape of FastAPI's validation errors (server.errors)."""
    return ApiError(422, "invalid_input", f"invalid input: {field}: {message}",
                    fields=[{"field": field, "message": message, "type": "value_error"}])


def manager_of(request: Request) -> RunManager:
    manager: RunManager = request.app.state.runs
    return manager


def store_of(request: Request) -> ArenaStore:
    """One ArenaStore per app, on the run manager's database."""
    db = request.app.state.db
    store: ArenaStore | None = getattr(request.app.state, "arena_store", None)
    if store is None or store.repo.db is not db:
        store = ArenaStore(db)
        request.app.state.arena_store = store
    return store


def found(store: ArenaStore, arena_id: str) -> ArenaRow:
    row = store.get(arena_id)
    if row is None:
        raise ApiError(404, "not_found", f"arena {arena_id!r} not found; GET /api/arenas lists them")
    return row


async def current(request: Request, arena_id: str) -> tuple[ArenaRow, dict[str, Any] | None]:
    """The arena's row (status settled) and its result as of now (None before its first prompt)."""
    store = store_of(request)
    row = found(store, arena_id)
    return row, await store.current(row, manager_of(request).graphs.get(GRAPH))


def parsed(result: dict[str, Any] | None, row: ArenaRow) -> ArenaResult:
    if result is None:
        raise ApiError(409, "conflict", f"arena {row.arena_id!r} has no finished prompt yet (it is {row.status})")
    return ArenaResult.model_validate(result)


def links(row: ArenaRow) -> dict[str, str]:
    base = f"/api/arenas/{row.arena_id}"
    out = {"self": base, "next_pair": f"{base}/pairs/next", "votes": f"{base}/votes", "ratings": f"{base}/ratings",
           "plot": f"{base}/plot.png"}
    if row.run_id and row.thread_id:
        run = f"/threads/{row.thread_id}/runs/{row.run_id}"
        out.update(run=run, stream=f"{run}/stream", cancel=f"{run}/cancel")
    return out


def check_spec(spec: ArenaSpec) -> None:
    """What the schema cannot say (the suite's items, the contestants, the judge), as the workflow checks it."""
    from workflows.graphs.arena import parse_spec

    try:
        parse_spec(spec.model_dump())
    except InvalidInput as exc:
        raise invalid(exc.field or "body", exc.message) from None


async def check_models(request: Request, spec: ArenaSpec) -> None:
    """Contestants and a judge on models the backend does not serve are refused before a run exists."""
    from workflows.arena.contestants import parse_contestants

    gateway = request.app.state.gateway
    try:
        contestants = parse_contestants(spec.contestants, gateway.default_model)
    except ValueError as exc:
        raise invalid("contestants", str(exc)) from None
    served = {m.name for m in await gateway.list_models()}
    wanted = [("contestants", c.model) for c in contestants] + [("judge_model", spec.judge_model or "")]
    for field, model in wanted:
        if model and model != gateway.default_model and model not in served and f"{model}:latest" not in served:
            serves = ", ".join(sorted(served)) or "none"
            raise invalid(field, f"unknown model {model!r}; the backend serves {serves}")


async def _settle_when_done(store: ArenaStore, job: RunJob, arena_id: str) -> None:
    await job.done.wait()
    with contextlib.suppress(Exception):  # a shutting-down server: the next read settles it
        row = store.repo.get(arena_id)
        if row is not None and row.run_id == job.run_id:
            store.settle(row)


def watch(store: ArenaStore, job: RunJob, arena_id: str) -> None:
    task = asyncio.ensure_future(_settle_when_done(store, job, arena_id))
    _watchers.add(task)
    task.add_done_callback(_watchers.discard)


async def start_run(request: Request, thread_id: str, graph_input: dict[str, Any] | None, arena_id: str) -> RunJob:
    body = RunCreate(assistant_id=GRAPH, input=graph_input, stream_mode=STREAM_MODES, if_not_exists="create",
                     metadata={"arena_id": arena_id})
    return await manager_of(request).create(thread_id, body)


def votes_of(store: ArenaStore, arena_id: str) -> list[tuple[str, str]]:
    return [(v.pair_id, v.winner) for v in store.repo.votes(arena_id)]


async def all_ratings(
    arena_id: str, result: ArenaResult, votes: list[tuple[str, str]], sources: tuple[Source, ...]
) -> dict[str, RatingsView]:
    def work() -> dict[str, RatingsView]:
        return {s: ratings(arena_id, result, votes, s, rounds=BOOTSTRAP_ROUNDS) for s in sources}

    return await run_in_threadpool(work)  # the bootstrap refits each round: off the event loop


# --------------------------------------------------------------------------- arenas


@router.post("", status_code=201)
async def create_arena(spec: ArenaSpec, request: Request) -> JSONResponse:
    """Start an arena (a run of the `arena` workflow); answers its id and its run and thread ids."""
    graph_input = jsonable(spec.model_dump(mode="json"))
    await run_in_threadpool(check_spec, spec)
    await check_models(request, spec)
    store = store_of(request)
    arena_id = str(uuid.uuid4())
    job = await start_run(request, arena_id, graph_input, arena_id)
    row = store.start_api(arena_id, spec, job.run_id, job.thread_id, VERSION)
    watch(store, job, arena_id)
    body = {**as_api(row, votes=0), "links": links(row)}
    return JSONResponse(body, status_code=201, headers={"Location": f"/api/arenas/{arena_id}"})


@router.get("")
async def list_arenas(
    request: Request,
    status: Literal["running", "success", "error", "interrupted"] | None = None,
    limit: int = Query(20, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    """Arenas, newest first, without their prompts (running ones with their progress so far)."""
    store = store_of(request)
    store.settle_running()
    rows = store.repo.search(status=status, limit=limit, offset=offset)
    graph = manager_of(request).graphs.get(GRAPH)
    arenas = []
    for row in rows:
        progress = await store.progress(row, graph) if row.status == "running" else None
        arenas.append(as_api(row, progress, votes=store.repo.vote_count(row.arena_id)))
    return {"arenas": arenas, "total": store.repo.count(status=status), "limit": limit, "offset": offset}


@router.get("/{arena_id}")
async def get_arena(
    arena_id: str, request: Request,
    prompts: bool = Query(False, description="Also every prompt with its answers and judged pairs (names shown)."),
) -> dict[str, Any]:
    """The arena: contestants, judge's ratings and pair counts; with prompts=true every answer and judgement."""
    row, result = await current(request, arena_id)
    body = {**as_api(row, result, votes=store_of(request).repo.vote_count(arena_id)), "links": links(row)}
    if prompts:
        body["items"] = (result or {}).get("items", [])
    return body


@router.post("/{arena_id}/resume")
async def resume_arena(arena_id: str, request: Request) -> dict[str, Any]:
    """Continue a cancelled or failed arena from its checkpoint, skipping the prompts it had finished."""
    store = store_of(request)
    row = found(store, arena_id)
    if row.source != "api" or not row.thread_id:
        raise ApiError(409, "conflict", f"arena {arena_id!r} runs from the CLI; continue it with "
                                        f"thinkroom arena run --resume {arena_id}")
    if row.status in ("running", "success"):
        raise ApiError(409, "conflict", f"arena {arena_id!r} is {row.status}; only a stopped or failed arena resumes")
    job = await start_run(request, row.thread_id, None, arena_id)
    updated = store.repo.update(arena_id, status="running", run_id=job.run_id, error=None) or row
    watch(store, job, arena_id)
    return {**as_api(updated), "links": links(updated)}


# --------------------------------------------------------------------------- people's votes


@router.get("/{arena_id}/pairs/next")
async def next_blind_pair(arena_id: str, request: Request) -> dict[str, Any]:
    """A pair nobody has voted on yet, blind: the prompt, answer A and answer B (`pair` is null when none is left)."""
    row, result = await current(request, arena_id)
    if result is None:
        return {"arena_id": arena_id, "status": row.status, "remaining": 0, "pair": None}
    voted = [pair_id for pair_id, _ in votes_of(store_of(request), arena_id)]
    pair, remaining = next_pair(ArenaResult.model_validate(result), voted)
    return {"arena_id": arena_id, "status": row.status, "remaining": remaining, "pair": pair}


@router.post("/{arena_id}/votes", status_code=201)
async def vote(arena_id: str, body: VoteIn, request: Request) -> dict[str, Any]:
    """Record a person's vote on a blind pair: a (answer A is better), b, or tie. One vote per pair."""
    row, result = await current(request, arena_id)
    arena = parsed(result, row)
    if arena.pair(body.pair_id) is None:
        raise invalid("pair_id", f"arena {arena_id!r} has no pair {body.pair_id!r} (yet); "
                                 "GET /api/arenas/{id}/pairs/next gives one")
    store = store_of(request)
    try:
        saved = store.repo.add_vote(arena_id, body.pair_id, body.winner)
    except DuplicateVote as exc:
        raise ApiError(409, "conflict", f"{exc}; each pair takes one vote") from None
    voted = [pair_id for pair_id, _ in votes_of(store, arena_id)]
    _, remaining = next_pair(arena, voted)
    return {"vote_id": saved.vote_id, "arena_id": arena_id, "pair_id": saved.pair_id, "winner": saved.winner,
            "remaining": remaining}


@router.get("/{arena_id}/votes")
async def list_votes(arena_id: str, request: Request) -> dict[str, Any]:
    """People's votes, oldest first, each with the contestants it was between (names shown)."""
    row, result = await current(request, arena_id)
    arena = parsed(result, row) if result is not None else None
    votes = []
    for v in store_of(request).repo.votes(arena_id):
        pair = arena.pair(v.pair_id) if arena is not None else None
        names = {"a": pair[1].a, "b": pair[1].b} if pair is not None else {}
        votes.append({"vote_id": v.vote_id, "pair_id": v.pair_id, "winner": v.winner, **names,
                      "created_at": iso(v.created_at)})
    return {"arena_id": arena_id, "votes": votes}


# --------------------------------------------------------------------------- ratings, export, plot


@router.get("/{arena_id}/ratings")
async def get_ratings(
    arena_id: str, request: Request,
    source: Literal["judge", "human", "combined"] | None = Query(None, description="One source; default: all three."),
) -> dict[str, Any]:
    """Bradley–Terry ratings with 95% bootstrap intervals from the judge's outcomes, people's votes, and both."""
    row, result = await current(request, arena_id)
    arena = parsed(result, row)
    sources = (source,) if source else SOURCES
    rated = await all_ratings(arena_id, arena, votes_of(store_of(request), arena_id), sources)
    return {"arena_id": arena_id, "status": row.status, **{k: v.model_dump(mode="json") for k, v in rated.items()}}


@router.get("/{arena_id}/export")
async def export_arena(
    arena_id: str, request: Request,
    format: Literal["json", "csv"] = Query("json"),
    table: Literal["pairs", "ratings"] = Query("pairs", description="CSV: one row per pair, or per rating."),
) -> Response:
    """Everything the arena measured: JSON (result, votes, ratings) or CSV (pairs or ratings)."""
    row, result = await current(request, arena_id)
    arena = parsed(result, row)
    store = store_of(request)
    votes = votes_of(store, arena_id)
    rated = await all_ratings(arena_id, arena, votes, SOURCES)
    suffix = f"-{table}" if format == "csv" else ""
    headers = {"Content-Disposition": f'attachment; filename="arena-{arena_id}{suffix}.{format}"'}
    if format == "csv":
        text = export_pairs_csv(arena_id, arena, dict(votes)) if table == "pairs" else export_ratings_csv(arena_id,
                                                                                                         rated)
        return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
    meta = as_api(row, result, votes=len(votes))
    vote_rows = [{"vote_id": v.vote_id, "pair_id": v.pair_id, "winner": v.winner,
                  "created_at": iso(v.created_at)} for v in store.repo.votes(arena_id)]
    return Response(export_json(meta, result or {}, vote_rows, rated), media_type="application/json",
                    headers=headers)


@router.get("/{arena_id}/plot.{fmt}")
async def plot_arena(
    arena_id: str, fmt: Literal["png", "svg"], request: Request,
    source: Literal["judge", "human", "combined"] | None = Query(None, description="One source; default: all three."),
) -> Response:
    """The Bradley–Terry ratings with their 95% intervals, per source of outcomes."""
    row, result = await current(request, arena_id)
    if result is None:
        raise ApiError(404, "not_found", f"arena {arena_id!r} has no finished prompt yet (it is {row.status})")
    arena = ArenaResult.model_validate(result)
    rated = await all_ratings(arena_id, arena, votes_of(store_of(request), arena_id),
                              (source,) if source else SOURCES)
    title = f"arena on {arena.spec.suite or 'prompts'}, {len(arena.items)} prompts"
    try:
        image = await run_in_threadpool(plots.render, title, list(rated.values()), fmt)
    except plots.NoPlot as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    return Response(image, media_type=plots.MEDIA_TYPES[fmt])


__all__ = ["router"]
