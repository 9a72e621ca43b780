"""Read the notes line numbers an erratum cites ("Line 451:", "Lines 642-648:", "Lines 1242/1261:")."""

from __future__ import annotations

import re

_PREFIX = re.compile(r"^\s*lines?\s+(\d+(?:\s*(?:-|–|/|,|and)\s*\d+)*)\s*:", re.IGNORECASE)
_PART = re.compile(r"(\d+)(?:\s*[-–]\s*(\d+))?")


def line_refs(erratum: str) -> list[tuple[int, int]]:
    """Each cited line or range as (start, end), 1-based inclusive, in the order written; [] if none.

    "Lines 1152 and 1160-1164: ..." -> [(1152, 1152), (1160, 1164)]. A reversed range is put in order.
    """
    match = _PREFIX.match(erratum)
    if not match:
        return []
    refs = []
    for part in _PART.finditer(match.group(1)):
        start = int(part.group(1))
        end = int(part.group(2)) if part.group(2) else start
        refs.append((min(start, end), max(start, end)))
    return refs


def line_span(erratum: str) -> tuple[int, int] | None:
    """The smallest range covering every cited line ("Lines 1242/1261:" -> (1242, 1261)), or None."""
    refs = line_refs(erratum)
    if not refs:
        return None
    return min(s for s, _ in refs), max(e for _, e in refs)
