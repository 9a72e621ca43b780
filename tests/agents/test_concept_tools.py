"""The one tool shortlist both frameworks offer a turn: the concepts its task names, few enough for a small context."""

from __future__ import annotations

from collections.abc import Sequence

from agents.concept_tools import SHORTLIST_LIMIT, ToolSpec, concept_tool_specs, shortlist_specs


def names(specs: Sequence[ToolSpec]) -> list[str]:
    return [s.name for s in specs]


def test_shortlist_picks_the_concepts_a_task_names() -> None:
    assert names(shortlist_specs(["all"], "Explain top-p with an example")) == ["concept_sampling"]
    assert "concept_softmax" in names(shortlist_specs(["all"], "softmax temperature"))
    assert shortlist_specs(["all"], "hello there") == []


def test_explicit_concepts_are_kept_and_no_tools_means_none() -> None:
    assert names(shortlist_specs(["bpe"], "anything")) == ["concept_bpe"]
    assert shortlist_specs([], "Explain softmax") == []


def test_a_task_naming_many_concepts_gets_at_most_the_limit() -> None:
    every_title = " ".join(spec.concept.title for spec in concept_tool_specs())
    picked = shortlist_specs(["all"], every_title)
    assert len(picked) == SHORTLIST_LIMIT < len(concept_tool_specs())
