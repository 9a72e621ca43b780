"""The concept lab over HTTP: list, explain and run every concept."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from starlette.concurrency import run_in_threadpool

from agents.model_concepts import MODEL_CONCEPTS, ModelConcept
from server.errors import ApiError
from tools.concepts import CONCEPTS, Concept, resolve_name

router = APIRouter(prefix="/api/concepts", tags=["concepts"])

AnyConcept = Concept | ModelConcept


def lookup(name: str) -> AnyConcept:
    concept = CONCEPTS.get(resolve_name(name)) or MODEL_CONCEPTS.get(name)
    if concept is None:
        raise ApiError(404, "not_found", f"unknown concept {name!r}; GET /api/concepts lists them")
    return concept


def summary(concept: AnyConcept) -> dict[str, Any]:
    return {
        "name": concept.name,
        "title": concept.title,
        "section": concept.section,
        "model_backed": isinstance(concept, ModelConcept),
        "input_schema": concept.input_model.model_json_schema(),
    }


@router.get("")
async def list_concepts() -> list[dict[str, Any]]:
    """Every concept with its title, notes section and input JSON schema."""
    everything: list[AnyConcept] = [*CONCEPTS.values(), *MODEL_CONCEPTS.values()]
    return [summary(c) for c in everything]


@router.get("/{name}")
async def show_concept(name: str) -> dict[str, Any]:
    """The explanation, input schema, example input, quiz and where the notes are wrong."""
    concept = lookup(name)
    return {
        **summary(concept),
        "explanation": concept.explanation,
        "example": concept.example,
        "quiz": [q.model_dump() for q in concept.quiz],
        "references": concept.references,
        "notes_errata": concept.notes_errata,
    }


@router.post("/{name}/run")
async def run_concept(
    request: Request, name: str, inputs: dict[str, Any] = Body(default_factory=dict)
) -> dict[str, Any]:
    """Run a concept on a JSON object of inputs; invalid input is a 422 naming the field."""
    concept = lookup(name)
    if isinstance(concept, ModelConcept):
        result = await concept.execute(inputs, request.app.state.gateway)
    else:
        result = await run_in_threadpool(concept.execute, inputs)
    return {"concept": concept.name, "inputs": inputs, "result": result, "explanation": concept.explanation}
