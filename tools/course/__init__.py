"""Pure parsing of the course notes: sections, passages, erratum line references and search terms."""

from tools.course.errata import KINDS, Erratum, ErratumKind, erratum_kind, line_refs, line_span
from tools.course.normalise import STOP_WORDS, index_text, query_terms, terms
from tools.course.notes import (
    Passage,
    Section,
    clean_heading,
    is_boilerplate,
    section_at,
    split_lines,
    split_passages,
    split_sections,
)

__all__ = [
    "KINDS",
    "STOP_WORDS",
    "Erratum",
    "ErratumKind",
    "Passage",
    "Section",
    "clean_heading",
    "erratum_kind",
    "index_text",
    "is_boilerplate",
    "line_refs",
    "line_span",
    "query_terms",
    "section_at",
    "split_lines",
    "split_passages",
    "split_sections",
    "terms",
]
