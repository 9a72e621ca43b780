"""Every concept honours the Concept contract: example runs, JSON output, quiz, explanation length."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.concepts import CONCEPTS, Concept, get_concept, list_concepts, render_errata_markdown

REQUIRED = {
    "neuron", "activation", "normalization", "attention", "multi_head_attention", "grouped_query_attention",
    "positional_encoding", "rope", "tokenization", "bpe", "beam_search", "sampling", "penalties", "pass_at_k",
    "parameter_count", "ibm_model1", "hmm_viterbi", "gan_1d", "vae", "ngram_lm", "bradley_terry", "ppo_clip",
    "rejection_sampling", "self_consistency", "softmax",
}  # fmt: skip

ALL = list_concepts()


def test_registry_has_required_and_enough() -> None:
    assert REQUIRED <= set(CONCEPTS)
    assert len(CONCEPTS) >= 26
    assert [c.name for c in ALL] == list(CONCEPTS)


def test_get_concept_unknown_raises_keyerror() -> None:
    assert get_concept("softmax").name == "softmax"
    with pytest.raises(KeyError):
        get_concept("no_such_concept")


@pytest.mark.parametrize("concept", ALL, ids=lambda c: c.name)
def test_example_runs_and_is_json(concept: Concept) -> None:
    result = concept.execute(concept.example)
    assert isinstance(result, dict)
    json.dumps(result, allow_nan=False)  # plain floats, no numpy types, no NaN/inf


@pytest.mark.parametrize("concept", ALL, ids=lambda c: c.name)
def test_metadata(concept: Concept) -> None:
    assert concept.name.isidentifier() and concept.name == concept.name.lower()
    assert concept.title and concept.section.strip()
    assert 100 <= len(concept.explanation.split()) <= 250
    assert len(concept.quiz) >= 2
    assert all(q.question.strip() and q.answer.strip() for q in concept.quiz)
    assert concept.references


@pytest.mark.parametrize("concept", ALL, ids=lambda c: c.name)
def test_run_is_deterministic(concept: Concept) -> None:
    assert concept.execute(concept.example) == concept.execute(concept.example)


def test_errata_file_matches_concepts() -> None:
    path = Path(__file__).resolve().parents[2] / "tools" / "concepts" / "ERRATA.md"
    assert path.read_text(encoding="utf-8") == render_errata_markdown()
    assert sum(len(c.notes_errata) for c in ALL) >= 20


def test_errata_cite_note_lines() -> None:
    for concept in ALL:
        for item in concept.notes_errata:
            assert item.startswith("Line"), (concept.name, item[:40])


def test_aliases_resolve_to_real_concepts() -> None:
    from tools.concepts import ALIASES, CONCEPTS, get_concept

    assert all(target in CONCEPTS for target in ALIASES.values())
    assert get_concept("top_p").name == "sampling"
    assert get_concept("Top-P").name == "sampling"
