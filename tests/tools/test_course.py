"""Parsing the course notes: headings, passages with exact line ranges, erratum references, search terms."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.knowledge import load_notes
from tools.concepts import list_concepts
from tools.course import (
    clean_heading,
    index_text,
    is_boilerplate,
    line_refs,
    line_span,
    query_terms,
    section_at,
    split_passages,
    split_sections,
    terms,
)

SAMPLE = """\
Double-click (or enter) to edit

## ▼ **Top P:**

Top-p keeps the smallest set.
Start coding or generate with AI.

```
# not a heading
x = 1
```

### [GPT Playground](#)

one
two
three
"""


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("▼ **Generative Adversarial Networks (GANs):**", "Generative Adversarial Networks (GANs)"),
        ("[GPT Playground](#)", "GPT Playground"),
        ("⌄ PPO", "PPO"),
        ('The "Add & Norm"', 'The "Add & Norm"'),
        ("**Byte-Pair Encoding (BPE)**", "Byte-Pair Encoding (BPE)"),
        ("✓ Chain of thought(CoT)", "Chain of thought(CoT)"),
    ],
)
def test_clean_heading_strips_markdown_and_markers(raw: str, clean: str) -> None:
    assert clean_heading(raw) == clean


def test_boilerplate_lines() -> None:
    for line in ("", "   ", "\xa0", "Double-click (or enter) to edit", "Start coding or [generate](#) with AI.",
                 "```", "```python", "display_image('/content/CoT.png')"):  # fmt: skip
        assert is_boilerplate(line), line
    assert not is_boilerplate("Top-p keeps the smallest set.")
    assert not is_boilerplate("x = 1")


def test_sections_ignore_hash_lines_inside_code_fences() -> None:
    sections = split_sections(SAMPLE)
    assert [(s.title, s.level, s.line_start, s.line_end) for s in sections] == [
        ("Top P", 2, 3, 12),
        ("GPT Playground", 3, 13, 17),
    ]
    assert sections[1].parents == ("Top P",)
    assert section_at(sections, 9) == sections[0]
    assert section_at(sections, 1) is None and section_at(sections, 99) is None


def test_passages_keep_line_numbers_and_drop_boilerplate() -> None:
    passages = split_passages(SAMPLE)
    assert [(p.section, p.line_start, p.line_end, p.opens_section) for p in passages] == [
        ("Top P", 3, 10, True),
        ("GPT Playground", 13, 17, True),
    ]
    assert passages[0].text == "## ▼ **Top P:**\nTop-p keeps the smallest set.\n# not a heading\nx = 1"
    lines = SAMPLE.splitlines()
    for p in passages:  # every passage line is the notes' own line at that number
        assert all(line in lines[p.line_start - 1 : p.line_end] for line in p.text.splitlines())


def test_passages_close_at_the_line_and_word_limits() -> None:
    text = "# H\n" + "\n".join(f"line {i} a b c" for i in range(10)) + "\n" + " ".join(["w"] * 50)
    passages = split_passages(text, max_words=20, max_lines=3)
    assert [(p.line_start, p.line_end) for p in passages] == [(1, 4), (5, 7), (8, 10), (11, 11), (12, 12)]
    assert [p.opens_section for p in passages] == [True, False, False, False, False]


def test_shipped_notes_sections_and_passages() -> None:
    notes = load_notes()
    sections = split_sections(notes)
    titles = {s.title for s in sections}
    assert {"Beam Search", "Top P", "GPT Parameters", "HumanEval", "Grouped-Query Attention (GQA)"} <= titles
    assert "Prompt without CoT" not in titles  # a comment inside a code block
    for concept in list_concepts():  # every concept's section is a real heading of the notes
        assert all(part in titles for part in concept.section.split(" / ")), concept.section
    beam = next(p for p in split_passages(notes) if p.line_start <= 584 <= p.line_end)
    assert beam.section == "Beam Search" and beam.line_start == 584 and beam.opens_section
    passages = split_passages(notes)
    assert all(a.line_end < b.line_start for a, b in itertools.pairwise(passages))
    assert not any("Double-click" in p.text for p in passages)


@pytest.mark.parametrize(
    ("erratum", "refs", "span"),
    [
        ("Line 451: 'y = 1 / (1 + e^{-0.7})'", [(451, 451)], (451, 451)),
        ("Lines 642-648: after step 2", [(642, 648)], (642, 648)),
        ("Lines 1242/1261: both formulas", [(1242, 1242), (1261, 1261)], (1242, 1261)),
        ("Lines 1152 and 1160-1164: 'penalty_threshold'", [(1152, 1152), (1160, 1164)], (1152, 1164)),
        ("lines 20–10: reversed", [(10, 20)], (10, 20)),
        ("The notes say 'Line 5: x' later", [], None),
        ("Line: 12", [], None),
    ],
)
def test_erratum_line_references(erratum: str, refs: list[tuple[int, int]], span: tuple[int, int] | None) -> None:
    assert line_refs(erratum) == refs
    assert line_span(erratum) == span


def test_every_registry_erratum_cites_lines_inside_the_notes() -> None:
    total = len(load_notes().splitlines())
    errata = [e for c in list_concepts() for e in c.notes_errata]
    assert errata
    for erratum in errata:
        span = line_span(erratum)
        assert span is not None and 1 <= span[0] <= span[1] <= total, erratum


def test_terms_join_hyphenated_and_symbol_words() -> None:
    assert terms("Top-p and pass@k; d_model=12288") == [
        "top", "p", "topp", "and", "pass", "k", "passk", "d", "model", "dmodel", "12288",
    ]  # fmt: skip
    assert terms("TOP_P") == terms("top-p") == ["top", "p", "topp"]
    assert index_text("GQA (grouped-query)") == "gqa grouped query groupedquery"


def test_query_terms_drop_stop_words_single_characters_and_repeats() -> None:
    assert query_terms("What does GQA share? What does GQA share?") == ["gqa", "share"]
    assert query_terms("What is GELU(1)?") == ["gelu"]
    assert query_terms('"a AND (" - * :') == []
    assert query_terms("   ") == []
    assert len(query_terms(" ".join(f"word{i}" for i in range(100)))) == 32


@given(st.text())
def test_query_terms_are_always_plain_word_characters(text: str) -> None:
    for term in query_terms(text):
        assert term and all(ch.isalnum() for ch in term) and '"' not in term
