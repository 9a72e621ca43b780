"""Errata for the course notes as data, and reading their cited lines back from the rendered text.

An `Erratum` keeps apart what the notes say, what the primary source says and which source that
is, and states how the notes fail: `wrong` (the source says otherwise), `imprecise` (true in part
or only loosely, so no stricter than the source allows) or `outdated` (code that no longer runs on
current libraries). Its rendered `text` starts "Line 451 (wrong): ..." or "Lines 1242/1261
(imprecise): ...", the form the tutor quotes, the search index cites and `line_refs` reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

ErratumKind = Literal["wrong", "imprecise", "outdated"]
KINDS: tuple[ErratumKind, ...] = get_args(ErratumKind)

_NUMBERS = r"\d+(?:\s*(?:-|–|/|,|and)\s*\d+)*"
_PREFIX = re.compile(
    rf"^\s*lines?\s+({_NUMBERS})\s*(?:\((wrong|imprecise|outdated)\))?\s*:",
    re.IGNORECASE,
)
_PART = re.compile(r"(\d+)(?:\s*[-–]\s*(\d+))?")
_LINES = re.compile(rf"^{_NUMBERS}$")


@dataclass(frozen=True)
class Erratum:
    """One place where the notes disagree with a primary source.

    `lines` is the citation as written ("451", "1184-1189", "1242/1261", "1152-1154 and 1160-1164");
    `notes` says what the notes claim (quoting them in single quotes); `source` what the source says;
    `cited` names the source (paper, section or table, dataset card, library release).
    """

    lines: str
    kind: ErratumKind
    notes: str
    source: str
    cited: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"erratum kind must be one of {KINDS}, not {self.kind!r}")
        if not _LINES.match(self.lines.strip()):
            raise ValueError(f"erratum lines must be line numbers or ranges, not {self.lines!r}")
        for name in ("notes", "source", "cited"):
            if not getattr(self, name).strip():
                raise ValueError(f"erratum {self.lines}: {name} must not be empty")

    @property
    def refs(self) -> list[tuple[int, int]]:
        """The cited lines as (start, end) ranges."""
        return line_refs(self.text)

    @property
    def text(self) -> str:
        """'Lines 1184-1189 (imprecise): <what the notes say> <source>: <what it says>'."""
        single = re.fullmatch(r"\d+", self.lines.strip()) is not None
        word = "Line" if single else "Lines"
        notes = _sentence(self.notes)
        source = _sentence(self.source)
        return f"{word} {self.lines} ({self.kind}): {notes} {self.cited}: {source}"


def _sentence(text: str) -> str:
    """Trimmed text ending in a full stop (or its own ?/!)."""
    text = text.strip()
    return text if text[-1] in ".?!" else text + "."


def line_refs(erratum: str) -> list[tuple[int, int]]:
    """Each cited line or range as (start, end), 1-based inclusive, in the order written; [] if none.

    "Lines 1152 and 1160-1164: ..." -> [(1152, 1152), (1160, 1164)]. A reversed range is put in order.
    The kind may stand before the colon: "Line 451 (wrong): ...".
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


def erratum_kind(erratum: str) -> ErratumKind | None:
    """The kind written in a rendered erratum ("Line 451 (wrong): ..." -> "wrong"), or None."""
    match = _PREFIX.match(erratum)
    if not match or not match.group(2):
        return None
    kind = match.group(2).lower()
    return next(k for k in KINDS if k == kind)
