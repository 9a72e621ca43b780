"""Pure parsing of the course notes: sections, passages, erratum line references and search terms."""

from tools.course.errata import line_refs, line_span
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
    "STOP_WORDS",
    "Passage",
    "Section",
    "clean_heading",
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
