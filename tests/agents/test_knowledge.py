"""The course index ranks the right concept, notes passage and erratum first for what learners type."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from agents.knowledge import KINDS, CourseIndex, Hit, course_index, load_notes
from agents.knowledge.index import fts_query
from tools.concepts import CONCEPTS, list_concepts
from tools.course import split_lines


@pytest.fixture(scope="module")
def index() -> CourseIndex:
    return course_index()


def first(hits: list[Hit], kind: str) -> Hit:
    return next(h for h in hits if h.kind == kind)


def test_sqlite_has_fts5() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61')")


def test_shipped_notes_are_the_seed_verbatim() -> None:
    notes = load_notes()
    lines = split_lines(notes)
    assert len(lines) == 1816 and notes.count("\n") == 1815
    assert lines[583] == "## Beam Search"
    assert "12888 elements" in lines[794]


def test_index_is_process_wide_and_covers_everything(index: CourseIndex) -> None:
    assert course_index() is index
    concepts = list_concepts()
    from_concepts = len(concepts) + sum(len(c.notes_errata) + len(c.quiz) for c in concepts)
    assert len(index) > from_concepts + 150  # plus a couple of hundred notes passages
    errata = [h for c in concepts for h in index.search(c.name, concept=c.name, kinds=["erratum"], limit=50)]
    assert len(errata) == sum(len(c.notes_errata) for c in concepts)  # every erratum is indexed under its concept


@pytest.mark.parametrize(
    ("query", "concept"),
    [
        ("top-p nucleus sampling", "sampling"),
        ("top_p", "sampling"),
        ("What does GQA share?", "grouped_query_attention"),
        ("pass@k unbiased estimator", "pass_at_k"),
        ("LayerNorm sigma", "normalization"),
        ("RMSNorm", "normalization"),
        ("BPE merges", "bpe"),
        ("d_model of GPT-3", "parameter_count"),
        ("Viterbi", "hmm_viterbi"),
    ],
)
def test_first_concept_hit(index: CourseIndex, query: str, concept: str) -> None:
    hits = index.search(query, limit=20)
    assert first(hits, "concept").concept == concept
    assert index.concepts_for(query)[0][0] == concept


def test_concept_hit_carries_the_explanation(index: CourseIndex) -> None:
    hit = index.search("nucleus", kinds=["concept"], limit=1)[0]
    assert hit == Hit("concept", "sampling", CONCEPTS["sampling"].title, "Top P", None, None,
                      CONCEPTS["sampling"].explanation, hit.score)  # fmt: skip
    assert hit.score > 0


def test_beam_search_lands_on_the_notes_heading(index: CourseIndex) -> None:
    hit = index.search("Beam search", kinds=["notes"], limit=5)[0]
    assert hit.section == "Beam Search" and hit.title == "Beam Search"
    assert hit.line_start is not None and hit.line_end is not None
    assert hit.line_start <= 584 <= hit.line_end
    assert hit.text.startswith("## Beam Search")
    assert index.notes_lines(hit.line_start, hit.line_start) == "## Beam Search"


def test_notes_lines_are_raw_and_clamped(index: CourseIndex) -> None:
    assert index.notes_lines(584, 586) == "## Beam Search\n\nModel Output at each step:"
    assert index.notes_lines(1816, 5000) == "```"
    assert index.notes_lines(10, 9) == ""


def test_erratum_hit_has_the_cited_line(index: CourseIndex) -> None:
    hit = index.search("12888", kinds=["erratum"], limit=3)[0]
    assert hit.concept == "parameter_count"
    assert (hit.line_start, hit.line_end) == (795, 795)
    assert "12288" in hit.text
    ranged = index.search("nucleus exceeds threshold", kinds=["erratum"], limit=1)[0]
    assert (ranged.concept, ranged.line_start, ranged.line_end) == ("sampling", 1184, 1190)
    assert ranged.section == "Top P"  # the notes heading over line 1184


def test_quiz_hit_points_into_the_concept_quiz(index: CourseIndex) -> None:
    hit = index.search("GQA kv heads", kinds=["quiz"], limit=1)[0]
    assert hit.concept == "grouped_query_attention" and hit.quiz_index is not None
    item = CONCEPTS["grouped_query_attention"].quiz[hit.quiz_index]
    assert hit.text == f"Q: {item.question} A: {item.answer}"


def test_concepts_for_gelu(index: CourseIndex) -> None:
    ranked = index.concepts_for("What is GELU(1)?")
    assert ranked[0][0] == "activation"
    assert len(ranked) == 3 and ranked[0][1] > ranked[1][1] >= ranked[2][1] > 0
    assert index.concepts_for("What is GELU(1)?", limit=1) == ranked[:1]


def test_filters_by_kind_and_concept(index: CourseIndex) -> None:
    hits = index.search("attention heads", kinds=["erratum", "quiz"], limit=20)
    assert hits and {h.kind for h in hits} <= {"erratum", "quiz"}
    only = index.search("attention heads", concept="gqa", limit=20)  # an alias works
    assert only and {h.concept for h in only} == {"grouped_query_attention"}
    notes = index.search("attention heads", kinds=["notes"], limit=5)
    assert notes and all(h.concept is None and h.line_start is not None for h in notes)


def test_scores_are_sorted_and_limit_holds(index: CourseIndex) -> None:
    hits = index.search("attention", limit=7)
    assert len(hits) == 7
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize("query", ['"', "a AND (", "-", "*", ":", "()", "^", "🙂", "", "   ", "the of and"])
def test_hostile_or_empty_queries_return_a_list(index: CourseIndex, query: str) -> None:
    assert index.search(query) == []
    assert index.concepts_for(query) == []


@pytest.mark.parametrize(
    "query", ['"top-p" OR "', "beam* AND (search", "σ LayerNorm:", "NOT temperature", "NEAR(beam", "col:beam"]
)
def test_queries_with_fts_syntax_still_find_things(index: CourseIndex, query: str) -> None:
    assert index.search(query)


def test_fts_query_quotes_terms_and_expands_abbreviations() -> None:
    assert fts_query("GQA?") == '"gqa" OR "grouped" OR "query" OR "attention"'
    assert fts_query('say "AND"') == ""


def test_bad_arguments_raise_value_error(index: CourseIndex) -> None:
    with pytest.raises(ValueError, match="limit"):
        index.search("beam", limit=0)
    with pytest.raises(ValueError, match="unknown hit kind"):
        index.search("beam", kinds=["video"])  # type: ignore[list-item]
    assert set(KINDS) == {"concept", "notes", "erratum", "quiz"}
    assert index.search("beam", kinds=[]) == []


def test_concurrent_searches_share_one_index(index: CourseIndex) -> None:
    results: list[str | None] = []

    def work() -> None:
        for _ in range(20):
            results.append(index.search("beam search", kinds=["concept"], limit=1)[0].concept)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["beam_search"] * 80
