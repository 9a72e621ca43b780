"""Every concept of the concept lab as an MCP tool: `concept_<name>`, its input model as the schema.

The pure concepts (`tools.concepts`) run on a worker thread; the model-backed ones
(`agents.model_concepts`) run on the app's gateway, exactly as `POST /api/concepts/{name}/run`
does, so a tool call and an API call give the same numbers.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from mcp import types
from pydantic import ValidationError

from agents.llm.errors import GatewayError
from agents.llm.gateway import Gateway
from agents.model_concepts import MODEL_CONCEPTS, ModelConcept
from tools.concepts import CONCEPTS, Concept

from .errors import ToolError, validation_message

PREFIX = "concept_"
AnyConcept = Concept | ModelConcept


def all_concepts() -> dict[str, AnyConcept]:
    """The pure concepts, then the model-backed ones, by tool name."""
    everything: list[AnyConcept] = [*CONCEPTS.values(), *MODEL_CONCEPTS.values()]
    return {PREFIX + c.name: c for c in everything}


def concept_tool(name: str, concept: AnyConcept) -> types.Tool:
    """The tool for one concept; its description says what it computes and gives a valid example."""
    backed = isinstance(concept, ModelConcept)
    where = "runs on the served model" if backed else "computes it exactly"
    description = f"{concept.title} ({concept.section}): {where}. Example arguments: {json.dumps(concept.example)}"
    return types.Tool(
        name=name,
        title=concept.title,
        description=description,
        inputSchema=concept.input_model.model_json_schema(),
        annotations=types.ToolAnnotations(readOnlyHint=True, idempotentHint=not backed, openWorldHint=False),
    )


def concept_tools() -> list[types.Tool]:
    return [concept_tool(name, concept) for name, concept in all_concepts().items()]


async def call_concept(concept: AnyConcept, arguments: dict[str, Any], gateway: Gateway) -> dict[str, Any]:
    """Run a concept; bad arguments and model faults are tool errors naming the field or the fault."""
    try:
        if isinstance(concept, ModelConcept):
            result = await concept.execute(arguments, gateway)
        else:
            result = await anyio.to_thread.run_sync(concept.execute, arguments)
    except ValidationError as exc:
        raise ToolError(
            f"invalid arguments for {PREFIX}{concept.name}: {validation_message(exc)}. "
            f"Example arguments: {json.dumps(concept.example)}"
        ) from None
    except GatewayError as exc:
        raise ToolError(f"{PREFIX}{concept.name} failed: the model backend said: {exc}") from None
    # A JSON object whatever the concept returned (numpy scalars and the like become plain values or text).
    plain: dict[str, Any] = json.loads(json.dumps(result, default=str))
    return plain
