"""Which persona, workflow or backend model answers a model id.

A model id names what answers:
  * a persona (`tutor`, `coder`, ...): one agent turn through the `chat` workflow;
  * `WORKFLOW:STRATEGY` (e.g. `reason:cot_sc`): that workflow with that strategy, for every
    strategy the registry lists at request time; a workflow without strategies is its bare name;
  * one of the backend's own models (or the default model): a direct chat through the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agents.llm.gateway import Gateway
from agents.personas import PERSONAS
from server.openai.errors import OpenAIError
from workflows.registry import WORKFLOWS


@dataclass(frozen=True)
class Target:
    """What answers a model id."""

    kind: Literal["model", "persona", "workflow"]
    name: str
    strategy: str | None = None


def agent_and_workflow_ids() -> list[str]:
    """Personas, then `workflow:strategy` pairs (bare names for workflows without strategies)."""
    ids = list(PERSONAS)
    for spec in WORKFLOWS.values():
        if spec.strategies:
            ids += [f"{spec.name}:{s}" for s in spec.strategies]
        elif spec.name not in PERSONAS:
            ids.append(spec.name)
    return ids


async def resolve(model: str, gateway: Gateway) -> Target:
    """Map a model id to a target; unknown ids are OpenAI's 404 `model_not_found`."""
    workflow, sep, strategy = model.partition(":")
    spec = WORKFLOWS.get(workflow)
    if sep and spec is not None and strategy in spec.strategies:
        return Target("workflow", workflow, strategy)
    if model in PERSONAS:
        return Target("persona", model)
    if spec is not None and not sep and not spec.strategies:
        return Target("workflow", workflow)
    if model == gateway.default_model:
        return Target("model", model)
    names = {m.name for m in await gateway.list_models()}
    if model in names or f"{model}:latest" in names:
        return Target("model", model)
    raise OpenAIError(
        404,
        f"The model `{model}` does not exist; GET /v1/models lists the agents, workflows and models",
        param="model",
        code="model_not_found",
    )
