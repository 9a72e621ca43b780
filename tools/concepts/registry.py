"""One place that knows every concept, so the API, CLI and agents list and look them up identically."""

from __future__ import annotations

from tools.concepts import (
    architecture,
    attention,
    classical,
    decoding,
    evaluation,
    generative,
    neural,
    positional,
    reasoning,
    rlhf,
    tokenization,
)
from tools.concepts.base import Concept

_MODULES = (
    neural,
    attention,
    positional,
    tokenization,
    decoding,
    architecture,
    evaluation,
    classical,
    generative,
    rlhf,
    reasoning,
)


def _collect() -> dict[str, Concept]:
    found: dict[str, Concept] = {}
    for module in _MODULES:
        for concept in module.CONCEPTS:
            if concept.name in found:
                raise RuntimeError(f"duplicate concept name {concept.name!r}")
            found[concept.name] = concept
    return found


CONCEPTS: dict[str, Concept] = _collect()


def list_concepts() -> list[Concept]:
    """All concepts in teaching order (the order of the notes, roughly)."""
    return list(CONCEPTS.values())


def get_concept(name: str) -> Concept:
    """The concept called `name`; KeyError (listing valid names) if there is none."""
    try:
        return CONCEPTS[name]
    except KeyError:
        raise KeyError(f"unknown concept {name!r}; known: {', '.join(sorted(CONCEPTS))}") from None


def render_errata_markdown() -> str:
    """ERRATA.md's text, built from every concept's notes_errata so the two cannot drift apart."""
    lines = [
        "# Errata for the course notes",
        "",
        "Where the course notes (seed 000_81d0867842955ad4.txt) disagree with the primary sources, the concept",
        "lab computes the paper's version. Line numbers refer to the notes. This file is generated from the",
        "`notes_errata` field of each concept (`tools.concepts.registry.render_errata_markdown`).",
        "",
    ]
    total = 0
    for concept in list_concepts():
        if not concept.notes_errata:
            continue
        lines.append(f"## `{concept.name}`: {concept.title}")
        lines.append("")
        for item in concept.notes_errata:
            lines.append(f"- {item}")
            total += 1
        lines.append("")
    lines.append(f"Total: {total} errata.")
    return "\n".join(lines) + "\n"
