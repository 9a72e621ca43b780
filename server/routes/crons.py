"""Agent Protocol crons (`client.crons.*`), in LangGraph Server's shape.

POST /threads/{thread_id}/runs/crons and POST /runs/crons create a cron (on that thread, or
on a new thread per firing), PATCH/DELETE /runs/crons/{cron_id} change or remove it,
POST /runs/crons/search and /runs/crons/count list them. Each answer is a Cron
(server.db.crons.as_api); the runs they fire are ordinary runs (server.crons.scheduler).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from server.crons import CronService
from server.crons.schemas import CronCount, CronCreate, CronPatch, CronSearch, ThreadCronCreate
from server.db.crons import as_api

router = APIRouter(tags=["crons"])


def service_of(request: Request) -> CronService:
    service: CronService = request.app.state.crons
    return service


@router.post("/threads/{thread_id}/runs/crons")
async def create_thread_cron(thread_id: str, body: ThreadCronCreate, request: Request) -> dict[str, Any]:
    return as_api(await service_of(request).create(thread_id, body))


@router.post("/runs/crons")
async def create_cron(body: CronCreate, request: Request) -> dict[str, Any]:
    return as_api(await service_of(request).create(None, body))


@router.post("/runs/crons/search")
async def search_crons(body: CronSearch, request: Request) -> list[dict[str, Any]]:
    service = service_of(request)
    rows = service.repo.search(
        assistant_id=service.resolve_assistant(body.assistant_id), thread_id=body.thread_id, enabled=body.enabled,
        metadata=body.metadata, limit=body.limit, offset=body.offset, sort_by=body.sort_by,
        sort_order=body.sort_order,
    )
    return [as_api(row, list(body.select) if body.select else None) for row in rows]


@router.post("/runs/crons/count")
async def count_crons(body: CronCount, request: Request) -> int:
    service = service_of(request)
    return service.repo.count(
        assistant_id=service.resolve_assistant(body.assistant_id), thread_id=body.thread_id, metadata=body.metadata
    )


@router.patch("/runs/crons/{cron_id}")
async def update_cron(cron_id: str, body: CronPatch, request: Request) -> dict[str, Any]:
    return as_api(await service_of(request).update(cron_id, body))


@router.delete("/runs/crons/{cron_id}", status_code=204)
async def delete_cron(cron_id: str, request: Request) -> Response:
    service_of(request).delete(cron_id)
    return Response(status_code=204)
