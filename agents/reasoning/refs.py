"""Naming a persona for a strategy step: "coder", or "coder@crewai" to pick its framework."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast, get_args

from pydantic import BaseModel, ConfigDict

from agents.personas import PERSONAS, Framework, get_persona

FRAMEWORKS: tuple[str, ...] = get_args(Framework)


class PersonaRef(BaseModel):
    """A persona on a framework; `label` ("coder@crewai") is how traces and events name it."""

    model_config = ConfigDict(frozen=True)

    persona: str
    framework: Framework

    @property
    def label(self) -> str:
        return f"{self.persona}@{self.framework}"


def persona_ref(spec: str | PersonaRef) -> PersonaRef:
    """ "coder" (the persona's own framework) or "coder@crewai"; ValueError names the valid choices."""
    if isinstance(spec, PersonaRef):
        return spec
    name, _, framework = str(spec).strip().partition("@")
    name, framework = name.strip(), framework.strip().lower()
    if name not in PERSONAS:
        choices = ", ".join(PERSONAS)
        raise ValueError(f"unknown persona {name!r}; choose one of {choices} (optionally @crewai or @autogen)")
    if framework and framework not in FRAMEWORKS:
        raise ValueError(f"unknown framework {framework!r} in {spec!r}; choose {' or '.join(FRAMEWORKS)}")
    chosen = cast(Framework, framework) if framework else get_persona(name).framework
    return PersonaRef(persona=name, framework=chosen)


def persona_refs(specs: Iterable[str | PersonaRef]) -> list[PersonaRef]:
    return [persona_ref(s) for s in specs]


__all__ = ["FRAMEWORKS", "PersonaRef", "persona_ref", "persona_refs"]
