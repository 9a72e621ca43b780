"""Split the course notes (markdown exported from a notebook) into sections and short passages.

Pure functions over the notes' text, so line numbers are exactly those of the shipped file: the
errata and the search index cite them. Lines inside ``` fences are never headings (the notes'
code has `# comments`), and notebook boilerplate ("Double-click (or enter) to edit") is dropped.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKERS = re.compile(r"[▼▶►⌄✓*#]+")
_BOILERPLATE = re.compile(
    r"^(?:double-click \(or enter\) to edit|start coding or generate with ai\.?|display_image\(.*\)|```[\w-]*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Section:
    """A heading and the lines it governs (up to the next heading), 1-based inclusive."""

    title: str
    level: int
    line_start: int
    line_end: int
    parents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Passage:
    """A few consecutive content lines of one section; `text` keeps the notes' own wording.

    `opens_section` marks the passage that starts with the section's heading line.
    """

    section: str
    line_start: int
    line_end: int
    text: str
    opens_section: bool = False


def split_lines(text: str) -> list[str]:
    """Lines as an editor numbers them: only newlines break (str.splitlines also breaks on \\x0c, \\u2028...)."""
    lines = text.replace("\r\n", "\n").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def clean_heading(raw: str) -> str:
    """Heading text without markdown and notebook markers: '#### ▼ **GANs:**' -> 'GANs'."""
    text = _LINK.sub(r"\1", raw)
    text = _MARKERS.sub("", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip(":").strip()


def is_boilerplate(line: str) -> bool:
    """Blank lines, notebook editor prompts, code fences and image-display calls carry no content."""
    stripped = _LINK.sub(r"\1", line.replace("\xa0", " ")).strip()
    return not stripped or bool(_BOILERPLATE.match(stripped))


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line number, level, title) of every markdown heading outside code fences."""
    found: list[tuple[int, int, str]] = []
    in_code = False
    for number, line in enumerate(lines, start=1):
        if line.strip().startswith("```"):
            in_code = not in_code
            continue
        match = None if in_code else _HEADING.match(line)
        if match:
            title = clean_heading(match.group(2))
            if title:
                found.append((number, len(match.group(1)), title))
    return found


def split_sections(text: str) -> list[Section]:
    """Sections in order, each with its ancestors' titles; lines before the first heading are not a section."""
    lines = split_lines(text)
    heads = _headings(lines)
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    for i, (number, level, title) in enumerate(heads):
        end = heads[i + 1][0] - 1 if i + 1 < len(heads) else len(lines)
        while stack and stack[-1][0] >= level:
            stack.pop()
        sections.append(Section(title, level, number, end, tuple(t for _, t in stack)))
        stack.append((level, title))
    return sections


def section_at(sections: list[Section], line: int) -> Section | None:
    """The section containing `line` (sections as returned by `split_sections`)."""
    index = bisect_right([s.line_start for s in sections], line) - 1
    if index < 0 or line > sections[index].line_end:
        return None
    return sections[index]


def split_passages(text: str, *, max_words: int = 110, max_lines: int = 8) -> list[Passage]:
    """Passages of a few content lines that never cross a heading.

    A passage closes once it reaches `max_words` words or `max_lines` content lines, so a hit points
    at a short, quotable span; a single long paragraph line is a passage of its own. The heading
    line opens the first passage of its section (without counting towards the limits), so a
    search for the heading lands on it together with the lines it introduces.
    """
    lines = split_lines(text)
    passages: list[Passage] = []
    for section in split_sections(text):
        passages.extend(_pack(section, lines, max_words, max_lines))
    return passages


def _pack(section: Section, lines: list[str], max_words: int, max_lines: int) -> list[Passage]:
    """Greedily group the section's content lines into passages."""
    groups: list[list[int]] = [[section.line_start]]
    words, count = 0, 0
    for number in range(section.line_start + 1, section.line_end + 1):
        line = lines[number - 1]
        if is_boilerplate(line):
            continue
        size = len(line.split())
        if count and (words + size > max_words or count >= max_lines):
            groups.append([])
            words, count = 0, 0
        groups[-1].append(number)
        words, count = words + size, count + 1
    return [
        Passage(section.title, group[0], group[-1], "\n".join(lines[n - 1].rstrip() for n in group), i == 0)
        for i, group in enumerate(groups)
    ]
