"""Concept-lab tasks as framework-neutral tool specs, generated from the registry, and the shortlist a turn offers.

Both the CrewAI and the AutoGen adapters build their tools from these specs, so a new
concept becomes an agent tool without any per-concept code; and both offer a turn the
tools `shortlist_specs` picks for its task, so a persona sees the same few tools on either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
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


_TERM = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_STOPWORDS = frozenset("a an and the of with for to in on by is it how what why explain example show me".split())
#: Most tools a persona with every concept is offered in one turn.
SHORTLIST_LIMIT = 3


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


def _terms(text: str) -> set[str]:
    """Words of `text` (hyphenated terms such as "top-p" also split into parts), minus filler."""
    terms: set[str] = set()
    for term in _TERM.findall(text.lower()):
        terms.add(term)
        terms.update(term.split("-"))
    return {t for t in terms if len(t) > 1 and t not in _STOPWORDS}


def shortlist_specs(names: Sequence[str], text: str, *, limit: int = SHORTLIST_LIMIT) -> list[ToolSpec]:
    """The tools one turn offers: the persona's concepts (`names`) most relevant to `text`, at most `limit`.

    A persona with tools=["all"] would put ~30 JSON schemas into the prompt, more than a
    small local model's whole context, so a turn offers only the concepts the task names
    (none when it names none). A persona that lists concepts explicitly keeps exactly those;
    a persona with no tools gets none.
    """
    if not names:
        return []
    specs = concept_tool_specs(list(names))
    if "all" not in names:
        return specs
    wanted = _terms(text)

    def score(spec: ToolSpec) -> int:
        concept = spec.concept
        return len(wanted & _terms(f"{concept.name} {concept.name.replace('_', ' ')} {concept.title}"))

    ranked = sorted((s for s in specs if score(s) > 0), key=score, reverse=True)
    return ranked[:limit]
