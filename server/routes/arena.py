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
from server.errors import MAX_OFFSET, ApiError, invalid_field
from server.results.routes import ResultRuns, manager_of
from server.runs.serde import jsonable
from tools.evals.ratings import BOOTSTRAP_ROUNDS
from workflows.arena.schema import ArenaResult, ArenaSpec, RatingsView

router = APIRouter(prefix="/api/arenas", tags=["arenas"])
GRAPH = "arena"
runs: ResultRuns[ArenaStore, ArenaRow, ArenaSpec] = ResultRuns(GRAPH, ArenaStore)


class VoteIn(BaseModel):
    """A person's vote on a blind pair: the side whose answer is better, or a tie."""

    model_config = ConfigDict(extra="forbid")
    pair_id: str = Field(min_length=1, max_length=300, description="from GET /api/arenas/{id}/pairs/next")
    winner: Literal["a", "b", "tie"]


def parsed(result: dict[str, Any] | None, row: ArenaRow) -> ArenaResult:
    if result is None:
        raise runs.no_result_yet(row)
    return ArenaResult.model_validate(result)


def links(row: ArenaRow) -> dict[str, str]:
    return runs.links(row, next_pair="pairs/next", votes="votes", ratings="ratings", plot="plot.png")


def check_spec(spec: ArenaSpec) -> None:
    """What the schema cannot say (the suite's items, the contestants, the judge), as the workflow checks it."""
    from workflows.graphs.arena import parse_spec

    runs.check_spec(spec, parse_spec)


async def check_models(request: Request, spec: ArenaSpec) -> None:
    """Contestants and a judge on models the backend does not serve are refused before a run exists."""
    from workflows.arena.contestants import parse_contestants

    gateway = request.app.state.gateway
    try:
        contestants = parse_contestants(spec.contestants, gateway.default_model)
    except ValueError as exc:
        raise invalid_field("contestants", str(exc)) from None
    served = {m.name for m in await gateway.list_models()}
    wanted = [("contestants", c.model) for c in contestants] + [("judge_model", spec.judge_model or "")]
    for field, model in wanted:
        if model and model != gateway.default_model and model not in served and f"{model}:latest" not in served:
            serves = ", ".join(sorted(served)) or "none"
            raise invalid_field(field, f"unknown model {model!r}; the backend serves {serves}")


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
    jsonable(spec.model_dump(mode="json"))  # NotStorable (422) for an integer beyond 64 bits, before any check
    await run_in_threadpool(check_spec, spec)
    await check_models(request, spec)
    row = await runs.start(request, spec)
    body = {**as_api(row, votes=0), "links": links(row)}
    return JSONResponse(body, status_code=201, headers={"Location": f"/api/arenas/{row.arena_id}"})


@router.get("")
async def list_arenas(
    request: Request,
    status: Literal["running", "success", "error", "interrupted"] | None = None,
    limit: int = Query(20, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    """Arenas, newest first, without their prompts (running ones with their progress so far)."""
    store = runs.store(request)
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
    row, result = await runs.current(request, arena_id)
    body = {**as_api(row, result, votes=runs.store(request).repo.vote_count(arena_id)), "links": links(row)}
    if prompts:
        body["items"] = (result or {}).get("items", [])
    return body


@router.post("/{arena_id}/resume")
async def resume_arena(arena_id: str, request: Request) -> dict[str, Any]:
    """Continue a cancelled or failed arena from its checkpoint, skipping the prompts it had finished."""
    updated = await runs.resume(request, arena_id)
    return {**as_api(updated), "links": links(updated)}


# --------------------------------------------------------------------------- people's votes


@router.get("/{arena_id}/pairs/next")
async def next_blind_pair(arena_id: str, request: Request) -> dict[str, Any]:
    """A pair nobody has voted on yet, blind: the prompt, answer A and answer B (`pair` is null when none is left)."""
    row, result = await runs.current(request, arena_id)
    if result is None:
        return {"arena_id": arena_id, "status": row.status, "remaining": 0, "pair": None}
    voted = [pair_id for pair_id, _ in votes_of(runs.store(request), arena_id)]
    pair, remaining = next_pair(ArenaResult.model_validate(result), voted)
    return {"arena_id": arena_id, "status": row.status, "remaining": remaining, "pair": pair}


@router.post("/{arena_id}/votes", status_code=201)
async def vote(arena_id: str, body: VoteIn, request: Request) -> dict[str, Any]:
    """Record a person's vote on a blind pair: a (answer A is better), b, or tie. One vote per pair."""
    row, result = await runs.current(request, arena_id)
    arena = parsed(result, row)
    if arena.pair(body.pair_id) is None:
        raise invalid_field("pair_id", f"arena {arena_id!r} has no pair {body.pair_id!r} (yet); "
                                 "GET /api/arenas/{id}/pairs/next gives one")
    store = runs.store(request)
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
    row, result = await runs.current(request, arena_id)
    arena = parsed(result, row) if result is not None else None
    votes = []
    for v in runs.store(request).repo.votes(arena_id):
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
    row, result = await runs.current(request, arena_id)
    arena = parsed(result, row)
    sources = (source,) if source else SOURCES
    rated = await all_ratings(arena_id, arena, votes_of(runs.store(request), arena_id), sources)
    return {"arena_id": arena_id, "status": row.status, **{k: v.model_dump(mode="json") for k, v in rated.items()}}


@router.get("/{arena_id}/export")
async def export_arena(
    arena_id: str, request: Request,
    format: Literal["json", "csv"] = Query("json"),
    table: Literal["pairs", "ratings"] = Query("pairs", description="CSV: one row per pair, or per rating."),
) -> Response:
    """Everything the arena measured: JSON (result, votes, ratings) or CSV (pairs or ratings)."""
    row, result = await runs.current(request, arena_id)
    arena = parsed(result, row)
    store = runs.store(request)
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
    row, result = await runs.current(request, arena_id)
    if result is None:
        raise runs.no_result_yet(row, status=404)
    arena = ArenaResult.model_validate(result)
    rated = await all_ratings(arena_id, arena, votes_of(runs.store(request), arena_id),
                              (source,) if source else SOURCES)
    title = f"arena on {arena.spec.suite or 'prompts'}, {len(arena.items)} prompts"
    try:
        image = await run_in_threadpool(plots.render, title, list(rated.values()), fmt)
    except plots.NoPlot as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    return Response(image, media_type=plots.MEDIA_TYPES[fmt])


__all__ = ["router"]
