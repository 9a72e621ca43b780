"""`/api/evals`: evaluations as runs of the `eval` workflow, and their results, comparisons, exports and plots.

Creating an eval starts an ordinary run of the `eval` graph through the run manager, on a
thread of its own (thread id = eval id): it streams (`/threads/{thread_id}/runs/{run_id}/stream`,
with `eval.item` custom events), can be cancelled like any run, and a server killed
mid-suite resumes it on restart, skipping the finished items. A running eval's items are
read from its checkpoint, so `GET /api/evals/{id}` shows progress as it happens.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from server.db.evals import as_api
from server.db.models import EvalRow
from server.errors import MAX_OFFSET, ApiError, invalid_field
from server.evals import plots
from server.evals.compare import CompareError, compare
from server.evals.export import export_csv, export_json
from server.evals.items import UnknownColumn, items_page
from server.evals.store import EvalStore
from server.results.routes import ResultRuns, manager_of
from server.runs.serde import jsonable
from workflows.evals.schema import EvalResult, EvalSpec

router = APIRouter(prefix="/api/evals", tags=["evals"])
GRAPH = "eval"
runs: ResultRuns[EvalStore, EvalRow, EvalSpec] = ResultRuns(GRAPH, EvalStore)


def links(row: EvalRow) -> dict[str, str]:
    return runs.links(row, items="items")


def parsed(result: dict[str, Any] | None, row: EvalRow) -> EvalResult:
    if result is None:
        raise runs.no_result_yet(row)
    return EvalResult.model_validate(result)


def check_spec(spec: EvalSpec) -> None:
    """What the schema cannot say (the suite's items, the offset, the agent), as the workflow checks it."""
    from workflows.graphs.eval import parse_spec

    runs.check_spec(spec, parse_spec)


async def check_models(request: Request, spec: EvalSpec) -> None:
    """Models the backend does not serve are refused before a run exists."""
    if not spec.models or not (spec.strategies or spec.agent):
        return
    served = {m.name for m in await request.app.state.gateway.list_models()}
    unknown = [m for m in spec.models if m not in served and f"{m}:latest" not in served]
    if unknown:
        serves = ", ".join(sorted(served)) or "none"
        raise invalid_field("models", f"unknown model {unknown[0]!r}; the backend serves {serves}")


@router.post("", status_code=201)
async def create_eval(spec: EvalSpec, request: Request) -> JSONResponse:
    """Start an evaluation (a run of the `eval` workflow); answers its id and its run and thread ids."""
    jsonable(spec.model_dump(mode="json"))  # NotStorable (422) for an integer beyond 64 bits, before any check
    await run_in_threadpool(check_spec, spec)
    await check_models(request, spec)
    row = await runs.start(request, spec)
    body = {**as_api(row), "links": links(row)}
    return JSONResponse(body, status_code=201, headers={"Location": f"/api/evals/{row.eval_id}"})


@router.post("/{eval_id}/resume")
async def resume_eval(eval_id: str, request: Request) -> dict[str, Any]:
    """Continue a cancelled or failed eval from its checkpoint, skipping the items it had finished."""
    updated = await runs.resume(request, eval_id)
    return {**as_api(updated), "links": links(updated)}


@router.get("")
async def list_evals(
    request: Request,
    suite: Literal["humaneval", "gsm8k", "game24", "quiz", "jsonl"] | None = None,
    status: Literal["running", "success", "error", "interrupted"] | None = None,
    limit: int = Query(20, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    """Evaluations, newest first, without their items (running ones with their progress so far)."""
    store = runs.store(request)
    store.settle_running()
    rows = store.repo.search(suite=suite, status=status, limit=limit, offset=offset)
    graph = manager_of(request).graphs.get(GRAPH)
    evals = []
    for row in rows:
        progress = await store.progress(row, graph) if row.status == "running" else None
        evals.append(as_api(row, progress))
    return {"evals": evals, "total": store.repo.count(suite=suite, status=status), "limit": limit, "offset": offset}


@router.get("/compare")
async def compare_evals(
    request: Request,
    a: str = Query(..., description="The first eval's id."),
    b: str = Query(..., description="The second eval's id (deltas are b - a)."),
    column_a: str | None = Query(None, description="A column of eval a (with column_b); default: every shared column."),
    column_b: str | None = Query(None, description="A column of eval b (with column_a)."),
) -> dict[str, Any]:
    """Two evals of one suite, per shared column (or the chosen pair), on the items both answered."""
    row_a, result_a = await runs.current(request, a)
    row_b, result_b = await runs.current(request, b)
    try:
        comparison = compare(a, parsed(result_a, row_a), b, parsed(result_b, row_b), column_a, column_b)
    except CompareError as exc:
        raise invalid_field(exc.field, exc.message) from None
    return comparison.model_dump(mode="json")


@router.get("/{eval_id}")
async def get_eval(eval_id: str, request: Request) -> dict[str, Any]:
    """The eval's summary table: every column's accuracy, interval, pass@k and cost, and the McNemar tests."""
    row, result = await runs.current(request, eval_id)
    return {**as_api(row, result), "links": links(row)}


@router.get("/{eval_id}/items")
async def get_items(
    eval_id: str,
    request: Request,
    wrong: bool = Query(False, description="Only items some column (or `column`) got wrong."),
    column: str | None = Query(None, description="Only this column's items (its wrong ones with wrong=true)."),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    """Per-item results: input, expected answer and every column's output, verdict and cost."""
    row, result = await runs.current(request, eval_id)
    if result is None:
        return {"eval_id": eval_id, "total": 0, "limit": limit, "offset": offset, "items": []}
    try:
        total, items = items_page(EvalResult.model_validate(result), wrong=wrong, column=column, limit=limit,
                                  offset=offset)
    except UnknownColumn as exc:
        raise invalid_field("column", str(exc)) from None
    return {"eval_id": row.eval_id, "total": total, "limit": limit, "offset": offset, "items": items}


@router.get("/{eval_id}/export")
async def export_eval(
    eval_id: str, request: Request, format: Literal["json", "csv"] = Query("json")
) -> Response:
    """Everything the eval measured: JSON (the whole result) or CSV (one row per item and column)."""
    row, result = await runs.current(request, eval_id)
    headers = {"Content-Disposition": f'attachment; filename="eval-{eval_id}.{format}"'}
    if format == "csv":
        empty = EvalResult(spec=EvalSpec.model_validate(row.spec), thinkroom_version=row.thinkroom_version)
        text = export_csv(eval_id, EvalResult.model_validate(result) if result is not None else empty)
        return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
    return Response(export_json(as_api(row, result), result or {}), media_type="application/json", headers=headers)


@router.get("/{eval_id}/plot.{fmt}")
async def plot_eval(
    eval_id: str, fmt: Literal["png", "svg"], request: Request,
    kind: Literal["tokens", "passk", "ratings"] = Query("tokens", description="What to draw."),
) -> Response:
    """Accuracy against tokens per column, pass@k curves (code suites), or Bradley–Terry ratings."""
    row, result = await runs.current(request, eval_id)
    if result is None:
        raise runs.no_result_yet(row, status=404)
    try:
        image = await run_in_threadpool(plots.render, EvalResult.model_validate(result), kind, fmt)
    except plots.NoPlot as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    return Response(image, media_type=plots.MEDIA_TYPES[fmt])


__all__ = ["router"]
