"""Concept-lab tasks as framework-neutral tool specs, generated from the registry.

Both the CrewAI and the AutoGen adapters build their tools from these specs, so a new
concept becomes an agent tool without any per-concept code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from tools.concepts import Concept, list_concepts


@dataclass(frozen=True)
class ToolSpec:
    """A callable tool: name, description, JSON schema of its arguments and a runner."""

    name: str
    description: str
    parameters: dict[str, Any]
    concept: Concept

    def run(self, arguments: dict[str, Any]) -> str:
        """Run the concept; bad arguments come back as a readable error, not an exception."""
        try:
            result = self.concept.execute(arguments)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors())
            return f"ERROR invalid input for {self.name}: {problems}. Example input: {json.dumps(self.concept.example)}"
        return json.dumps(result, default=str)


def tool_name(concept: Concept) -> str:
    return f"concept_{concept.name}"


def concept_tool_specs(names: list[str] | None = None) -> list[ToolSpec]:
    """Specs for the named concepts (all of them for None or ["all"])."""
    wanted = None if not names or "all" in names else set(names)
    return [
        ToolSpec(
            name=tool_name(concept),
            description=f"{concept.title}: computes it exactly. Example input: {json.dumps(concept.example)}",
            parameters=concept.input_model.model_json_schema(),
            concept=concept,
        )
        for concept in list_concepts()
        if wanted is None or concept.name in wanted
    ]
