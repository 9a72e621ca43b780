"""`thinkroom search "QUERY"`: the course notes and concept lab, ranked by bm25, in the terminal.

Imports only the search index (no model gateway, no agent frameworks), so it answers at once.
"""

from __future__ import annotations

import json
import re
from typing import cast

import typer
from rich.table import Table

from agents.knowledge import KINDS, Hit, HitKind, course_index

from .common import console, err_console

SNIPPET_CHARS = 160


def snippet(text: str, width: int = SNIPPET_CHARS) -> str:
    """The hit's text on one line, cut at a word boundary."""
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= width:
        return flat
    return flat[:width].rsplit(" ", 1)[0] + " …"


def lines_label(hit: Hit) -> str:
    if hit.line_start is None:
        return ""
    return str(hit.line_start) if hit.line_start == hit.line_end else f"{hit.line_start}-{hit.line_end}"


def search_command(
    query: str = typer.Argument(..., help="What to look for, e.g. 'top-p nucleus sampling'."),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=50, help="How many hits."),
    kind: list[str] | None = typer.Option(None, "--kind", "-k", help=f"Only these kinds: {', '.join(KINDS)}."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Search the course notes and every concept's explanation, errata and quiz."""
    if not query.strip():
        err_console.print("[red]error:[/] the query is blank; try e.g. thinkroom search 'beam search'")
        raise typer.Exit(2)
    bad = [k for k in kind or () if k not in KINDS]
    if bad:
        err_console.print(f"[red]error:[/] unknown --kind {bad[0]!r}; choose from {', '.join(KINDS)}")
        raise typer.Exit(2)
    hits = course_index().search(query, limit=limit, kinds=cast(list[HitKind], kind) or None)
    if as_json:
        print(json.dumps({"query": query, "hits": [h.to_dict() for h in hits]}, ensure_ascii=False, indent=2))
        return
    if not hits:
        err_console.print(f"no hits for {query!r}")
        return
    table = Table(title=f"{len(hits)} hits for {query!r}")
    for column in ("kind", "concept / section", "lines", "snippet"):
        table.add_column(column, overflow="fold")
    table.add_column("score", justify="right")
    for hit in hits:
        where = hit.concept if hit.concept else hit.section
        table.add_row(hit.kind, where, lines_label(hit), snippet(hit.text), f"{hit.score:.2f}")
    console.print(table)
