"""Search the course over HTTP: notes passages and concept explanations, errata and quizzes, ranked by bm25."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from agents.knowledge import CourseIndex, HitKind, course_index
from server.errors import ApiError
from tools.concepts import CONCEPTS, resolve_name

router = APIRouter(prefix="/api/search", tags=["search"])


def _invalid(field: str, message: str) -> ApiError:
    """A 422 in the same shape as FastAPI's validation errors (see server.errors)."""
    return ApiError(
        422,
        "invalid_input",
        f"invalid input: {field}: {message}",
        fields=[{"field": field, "message": message, "type": "value_error"}],
    )


@router.get("")
async def search(
    q: str = Query(..., max_length=1000, description="What to look for; any text (words are OR-ed, ranked by bm25)."),
    limit: int = Query(10, ge=1, le=50),
    kind: list[HitKind] | None = Query(None, description="Only these hit kinds (repeatable)."),
    concept: str | None = Query(None, description="Only hits about this concept (name or alias)."),
) -> dict[str, Any]:
    """The course passages, concept explanations, errata and quiz items that best match `q`."""
    if not q.strip():
        raise _invalid("q", "must not be blank")
    if concept is not None and resolve_name(concept) not in CONCEPTS:
        raise _invalid("concept", f"unknown concept {concept!r}; GET /api/concepts lists them")

    def run(index: CourseIndex) -> list[dict[str, Any]]:
        return [hit.to_dict() for hit in index.search(q, limit=limit, kinds=kind, concept=concept)]

    index = await run_in_threadpool(course_index)  # built on the first search only
    return {"query": q, "hits": await run_in_threadpool(run, index)}
