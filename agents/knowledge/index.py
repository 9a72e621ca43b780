"""Full-text search over the course notes and the concept lab (explanations, errata, quizzes).

An in-memory SQLite FTS5 table ranked by bm25, with titles and keywords weighted above the body, so
the grounded tutor and evaluator can cite the notes by line and the concept by name. Built once per
process from data shipped in the package; no network, no embeddings.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any, Literal, get_args

from agents.knowledge.keywords import CONCEPT_KEYWORDS, QUERY_EXPANSIONS
from tools.concepts import ALIASES, Concept, list_concepts, resolve_name
from tools.course import index_text, line_span, query_terms, section_at, split_lines, split_passages, split_sections

HitKind = Literal["concept", "notes", "erratum", "quiz"]
KINDS: tuple[HitKind, ...] = get_args(HitKind)

#: bm25 column weights: title, keywords, body. A heading or concept title that matches beats a
#: passing mention in a long body.
WEIGHTS = (10.0, 3.0, 1.0)
#: How much a notes passage in a concept's own section counts towards that concept in `concepts_for`.
NOTES_CREDIT = 0.5
#: Hits considered when aggregating per concept.
CANDIDATES = 80


@dataclass(frozen=True)
class Hit:
    """One search result; `score` is the negated bm25 (higher is better, comparable within one query)."""

    kind: HitKind
    concept: str | None
    title: str
    section: str
    line_start: int | None
    line_end: int | None
    text: str
    score: float
    quiz_index: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Doc:
    kind: HitKind
    concept: str | None
    title: str
    section: str
    line_start: int | None
    line_end: int | None
    text: str
    quiz_index: int | None
    indexed_title: str
    keywords: str


def load_notes() -> str:
    """The course notes shipped in `agents/knowledge/data` (verbatim, so line numbers match the errata)."""
    return resources.files("agents.knowledge.data").joinpath("course_notes.txt").read_text(encoding="utf-8")


class CourseIndex:
    """bm25-ranked search over notes passages and every concept's explanation, errata and quiz."""

    def __init__(
        self,
        notes: str,
        concepts: Iterable[Concept],
        *,
        aliases: Mapping[str, str] | None = None,
        keywords: Mapping[str, str] | None = None,
    ) -> None:
        self._lines = split_lines(notes)
        self._concepts = list(concepts)
        self._docs = list(_documents(notes, self._concepts, aliases or {}, keywords or {}))
        self._section_concepts = _concepts_by_section(self._concepts)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5("
            "title, keywords, body, kind UNINDEXED, concept UNINDEXED, tokenize='porter unicode61')"
        )
        self._db.executemany(
            "INSERT INTO docs(rowid, title, keywords, body, kind, concept) VALUES (?, ?, ?, ?, ?, ?)",
            (
                (i, index_text(d.indexed_title), index_text(d.keywords), index_text(d.text), d.kind, d.concept)
                for i, d in enumerate(self._docs)
            ),
        )

    def __len__(self) -> int:
        return len(self._docs)

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        kinds: Sequence[HitKind] | None = None,
        concept: str | None = None,
    ) -> list[Hit]:
        """Best hits first. Any text is a valid query (its words are OR-ed); one with no content words gives [].

        `kinds` restricts the hit kinds; `concept` (a name or alias) keeps only that concept's hits.
        """
        if limit < 1:
            raise ValueError("limit must be at least 1")
        unknown = [k for k in kinds or () if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown hit kind {unknown[0]!r}; choose from {', '.join(KINDS)}")
        match = fts_query(query)
        if not match or (kinds is not None and not kinds):
            return []
        sql = f"SELECT rowid, bm25(docs, {', '.join(map(str, WEIGHTS))}) AS rank FROM docs WHERE docs MATCH ?"
        params: list[Any] = [match]
        if kinds is not None:
            sql += f" AND kind IN ({', '.join('?' * len(kinds))})"
            params.extend(kinds)
        if concept is not None:
            sql += " AND concept = ?"
            params.append(resolve_name(concept))
        sql += " ORDER BY rank, rowid LIMIT ?"
        params.append(limit)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [self._hit(rowid, -rank) for rowid, rank in rows]

    def concepts_for(self, query: str, *, limit: int = 3) -> list[tuple[str, float]]:
        """Concept names most relevant to the query (aggregating all hit kinds of a concept), best first.

        A concept's score is its best hit plus halved contributions of the next ones, so one strong
        match and several supporting ones (explanation, erratum, quiz, notes in its section) both count.
        """
        per_concept: dict[str, list[float]] = defaultdict(list)
        for hit in self.search(query, limit=CANDIDATES):
            if hit.concept is not None:
                per_concept[hit.concept].append(hit.score)
            else:
                for name in self._section_concepts.get(hit.section, ()):
                    per_concept[name].append(hit.score * NOTES_CREDIT)
        totals = {
            name: sum(score * 0.5**rank for rank, score in enumerate(sorted(scores, reverse=True)))
            for name, scores in per_concept.items()
        }
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:limit]

    def notes_lines(self, start: int, end: int) -> str:
        """Raw text of notes lines start..end (1-based, inclusive, clamped to the file); '' if the range is empty."""
        start, end = max(start, 1), min(end, len(self._lines))
        return "\n".join(self._lines[start - 1 : end]) if start <= end else ""

    def _hit(self, rowid: int, score: float) -> Hit:
        d = self._docs[rowid]
        return Hit(d.kind, d.concept, d.title, d.section, d.line_start, d.line_end, d.text, score, d.quiz_index)


def fts_query(query: str) -> str:
    """An FTS5 expression OR-ing the query's content terms (plus abbreviation expansions), each quoted.

    Terms are alphanumeric by construction, so no user input can form FTS5 syntax; '' when nothing is left.
    """
    found = query_terms(query)
    for term in list(found):
        found.extend(t for t in query_terms(QUERY_EXPANSIONS.get(term, "")) if t not in found)
    return " OR ".join(f'"{term}"' for term in found)


def _documents(
    notes: str, concepts: list[Concept], aliases: Mapping[str, str], keywords: Mapping[str, str]
) -> Iterable[_Doc]:
    sections = split_sections(notes)
    for p in split_passages(notes):
        # The heading weighs as a title only on the passage it opens; later passages carry it as context.
        title, context = (p.section, "") if p.opens_section else ("", p.section)
        yield _Doc("notes", None, p.section, p.section, p.line_start, p.line_end, p.text, None, title, context)
    for c in concepts:
        words = " ".join([c.name, c.section, *(a for a, target in aliases.items() if target == c.name)])
        words += " " + keywords.get(c.name, "")
        yield _Doc("concept", c.name, c.title, c.section, None, None, c.explanation, None, c.title, words)
        for item in c.notes_errata:
            span = line_span(item)
            where = section_at(sections, span[0]) if span else None
            section = where.title if where else c.section
            start, end = span if span else (None, None)
            yield _Doc("erratum", c.name, c.title, section, start, end, item, None, c.title, words)
        for i, q in enumerate(c.quiz):
            text = f"Q: {q.question} A: {q.answer}"
            yield _Doc("quiz", c.name, c.title, c.section, None, None, text, i, c.title, words)


def _concepts_by_section(concepts: list[Concept]) -> dict[str, list[str]]:
    """Notes heading -> concepts taught under it ('RMS-Normalization / Layer Normalization' names two)."""
    found: dict[str, list[str]] = defaultdict(list)
    for c in concepts:
        for heading in c.section.split(" / "):
            found[heading.strip()].append(c.name)
    return dict(found)


_INDEX: CourseIndex | None = None
_INDEX_LOCK = threading.Lock()


def course_index() -> CourseIndex:
    """The process-wide index of the shipped notes and the concept registry, built on first use."""
    global _INDEX
    with _INDEX_LOCK:
        if _INDEX is None:
            _INDEX = CourseIndex(load_notes(), list_concepts(), aliases=ALIASES, keywords=CONCEPT_KEYWORDS)
        return _INDEX
