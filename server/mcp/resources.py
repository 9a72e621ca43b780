"""The course notes and their errata as MCP resources.

`thinkroom://notes` is the whole notes file, verbatim (line numbers match the errata);
`thinkroom://notes/sections/{n}` is one section of it (the list is the notes' table of
contents); `thinkroom://errata` is ERRATA.md as `tools.concepts` renders it from the concepts.
"""

from __future__ import annotations

import functools
import re

from mcp import types
from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.shared.exceptions import McpError
from pydantic import AnyUrl

from agents.knowledge.index import load_notes
from tools.concepts import render_errata_markdown
from tools.course.notes import Section, split_lines, split_sections

NOTES_URI = "thinkroom://notes"
ERRATA_URI = "thinkroom://errata"
SECTION_PREFIX = "thinkroom://notes/sections/"
_SECTION = re.compile(r"^thinkroom://notes/sections/(\d+)$")
MARKDOWN = "text/markdown"


@functools.cache
def notes() -> tuple[str, list[str], list[Section]]:
    """The notes' text, its lines and its sections (read once: the file ships with the package)."""
    text = load_notes()
    return text, split_lines(text), split_sections(text)


def section_name(section: Section) -> str:
    return " > ".join((*section.parents, section.title))


def list_resources() -> list[types.Resource]:
    _, _, sections = notes()
    fixed = [
        types.Resource(
            uri=AnyUrl(NOTES_URI),
            name="course-notes",
            title="Course notes",
            description="The generative-AI course notes, verbatim; line numbers match the errata.",
            mimeType=MARKDOWN,
        ),
        types.Resource(
            uri=AnyUrl(ERRATA_URI),
            name="errata",
            title="Errata for the course notes",
            description="Where the notes disagree with the primary sources, and what the sources say.",
            mimeType=MARKDOWN,
        ),
    ]
    return fixed + [
        types.Resource(
            uri=AnyUrl(f"{SECTION_PREFIX}{number}"),
            name=f"notes-section-{number}",
            title=section_name(section),
            description=f"Course notes, lines {section.line_start}-{section.line_end}.",
            mimeType=MARKDOWN,
        )
        for number, section in enumerate(sections, start=1)
    ]


def read_resource(uri: str) -> list[ReadResourceContents]:
    """The resource's text; an unknown URI is an MCP error listing what exists."""
    text, lines, sections = notes()
    if uri == NOTES_URI:
        return [ReadResourceContents(text, MARKDOWN)]
    if uri == ERRATA_URI:
        return [ReadResourceContents(render_errata_markdown(), MARKDOWN)]
    match = _SECTION.match(uri)
    if match and 1 <= int(match.group(1)) <= len(sections):
        section = sections[int(match.group(1)) - 1]
        body = "\n".join(lines[section.line_start - 1 : section.line_end])
        return [ReadResourceContents(body + "\n", MARKDOWN)]
    raise McpError(
        types.ErrorData(
            code=types.INVALID_PARAMS,
            message=f"unknown resource {uri!r}: read {NOTES_URI}, {ERRATA_URI} or "
            f"{SECTION_PREFIX}1..{len(sections)} (resources/list names each section)",
        )
    )
