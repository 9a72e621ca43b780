"""`thinkroom eval list|show|compare|export|plot`: the stored evaluations, from the API and the CLI alike.

Everything reads the `evals` table (server.evals.store); an eval that has not finished
shows the items its checkpoint holds. `recorded` is how `thinkroom eval run` stores its
runs in the same table. An unknown eval id is one line on stderr and exit 1.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from server.db import Database
from server.db.evals import as_api
from server.db.models import EvalRow
from server.evals.store import EvalStore

from . import result_runs
from .common import FAILURE_EXIT, console, fail, settings_or_exit

SUITES = ("humaneval", "gsm8k", "game24", "quiz", "jsonl")
STATUSES = ("running", "success", "error", "interrupted")
PLOT_KINDS = ("tokens", "passk", "ratings")
OUTPUT_CHARS = 40


def open_store() -> EvalStore:
    return EvalStore(Database(settings_or_exit().database_url))


def load(store: EvalStore, eval_id: str) -> tuple[EvalRow, dict[str, Any] | None]:
    """The eval (status settled) and its result as of now; exit 1 for an unknown id."""
    return result_runs.load(store, "eval", eval_id)


def parsed(row: EvalRow, result: dict[str, Any] | None) -> Any:
    from workflows.evals.schema import EvalResult

    if result is None:
        fail(f"eval {row.eval_id} has no finished item yet (it is {row.status})", code=FAILURE_EXIT)
    return EvalResult.model_validate(result)


def percent(value: float) -> str:
    return f"{value:.1%}"


def short(text: str | None, limit: int = OUTPUT_CHARS) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# --------------------------------------------------------------------------- list


def list_command(
    suite: str | None = typer.Option(None, help=f"Only this suite ({', '.join(SUITES)})."),
    status: str | None = typer.Option(None, help=f"Only this status ({', '.join(STATUSES)})."),
    limit: int = typer.Option(20, min=1, max=1000, help="At most this many, newest first."),
    offset: int = typer.Option(0, min=0, help="Skip this many first."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object (as GET /api/evals)."),
) -> None:
    """The stored evaluations, newest first, with each column's accuracy."""
    if suite is not None and suite not in SUITES:
        fail(f"unknown suite {suite!r}; choose one of {', '.join(SUITES)}")
    if status is not None and status not in STATUSES:
        fail(f"unknown status {status!r}; choose one of {', '.join(STATUSES)}")
    store = open_store()
    store.settle_running()
    rows = store.repo.search(suite=suite, status=status, limit=limit, offset=offset)
    running = [r for r in rows if r.status == "running"]
    progress = asyncio.run(result_runs.current_results(store, "eval", running, keep=False)) if running else {}
    evals = [as_api(row, progress.get(row.eval_id)) for row in rows]
    total = store.repo.count(suite=suite, status=status)
    if json_out:
        console.print_json(json.dumps({"evals": evals, "total": total, "limit": limit, "offset": offset}))
        return
    if not evals:
        console.print("no evaluations stored yet (thinkroom eval run SUITE ..., or POST /api/evals)")
        return
    table = Table(title=f"evaluations ({len(evals)} of {total})")
    for header in ("id", "suite", "status", "items", "accuracy per column", "created"):
        table.add_column(header)
    for e in evals:
        accuracy = "\n".join(f"{c['id']} {percent(c['accuracy'])}" for c in e["columns"]) or "-"
        table.add_row(e["eval_id"], e["suite"], e["status"], f"{e['items_done']}/{e['total_items']}",
                      escape(accuracy), (e["created_at"] or "")[:19])
    console.print(table)


# --------------------------------------------------------------------------- show


def print_header(meta: dict[str, Any]) -> None:
    models = ", ".join(f"{m['name']}" + (f" ({m['digest']})" if m.get("digest") else "") for m in meta["models"])
    lines = [
        f"[bold]eval {meta['eval_id']}[/]  {meta['suite']}  [bold]{meta['status']}[/]  "
        f"{meta['items_done']}/{meta['total_items']} items",
        f"source {meta['source']}  version {meta['thinkroom_version']}  created {meta['created_at']}",
    ]
    if meta["run_id"]:
        lines.append(f"run {meta['run_id']}  thread {meta['thread_id']}")
    if models:
        lines.append(f"models {escape(models)}")
    if meta["error"]:
        lines.append(f"[red]{escape(str(meta['error'].get('message', meta['error'])))}[/]")
    for line in lines:
        console.print(line, highlight=False)


def items_table(page: list[dict[str, Any]], columns: list[str], title: str) -> Table:
    table = Table(title=title)
    table.add_column("item")
    table.add_column("expected")
    for column in columns:
        table.add_column(column)
    for item in page:
        cells = []
        for column in columns:
            out = item["outputs"].get(column)
            if out is None:
                cells.append("")
                continue
            mark = "[green]✓[/]" if out["correct"] else "[red]✗[/]"
            cells.append(f"{mark} {escape(short(out['error'] or out['output']))}")
        table.add_row(item["id"], escape(short(item["expected"], 20)), *cells)
    return table


def show_command(
    eval_id: str = typer.Argument(..., help="The eval's id (thinkroom eval list)."),
    items: bool = typer.Option(False, "--items", help="Also list the items with every column's answer."),
    wrong: bool = typer.Option(False, "--wrong", help="List only the items some column (or --column) got wrong."),
    column: str | None = typer.Option(None, help="With --items/--wrong: only this column."),
    limit: int = typer.Option(50, min=1, max=100_000, help="Items listed at most."),
    offset: int = typer.Option(0, min=0, help="Items skipped first."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object (as GET /api/evals/{id} [+ items])."),
) -> None:
    """One evaluation: its setting, the arena tables, and (--items/--wrong) its per-item answers."""
    from server.evals.items import UnknownColumn, items_page

    store = open_store()
    row, result = load(store, eval_id)
    meta = as_api(row, result)
    page: list[dict[str, Any]] = []
    total = 0
    if (items or wrong) and result is not None:
        try:
            total, page = items_page(parsed(row, result), wrong=wrong, column=column, limit=limit, offset=offset)
        except UnknownColumn as exc:
            fail(str(exc))
    if json_out:
        body = {**meta, **({"items": page, "items_total": total} if items or wrong else {})}
        console.print_json(json.dumps(body))
        return
    print_header(meta)
    if result is None:
        console.print("no item has finished yet")
        return
    from .evals import render

    render(result)
    if items or wrong:
        shown = [column] if column else [c["id"] for c in meta["columns"]]
        label = "wrong items" if wrong else "items"
        console.print(items_table(page, shown, f"{label} {offset + 1}-{offset + len(page)} of {total}"))


# --------------------------------------------------------------------------- compare


def compare_command(
    a: str = typer.Argument(..., help="The first eval's id."),
    b: str = typer.Argument(..., help="The second eval's id (deltas are b - a)."),
    column_a: str | None = typer.Option(None, help="A column of A (with --column-b); default: every shared column."),
    column_b: str | None = typer.Option(None, help="A column of B (with --column-a)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object (as GET /api/evals/compare)."),
) -> None:
    """Two evaluations of one suite on the items both answered: accuracies, b - a, and the McNemar test."""
    from server.evals.compare import CompareError, compare

    store = open_store()
    row_a, result_a = load(store, a)
    row_b, result_b = load(store, b)
    try:
        comparison = compare(a, parsed(row_a, result_a), b, parsed(row_b, result_b), column_a, column_b)
    except CompareError as exc:
        fail(exc.message)
    if json_out:
        console.print_json(comparison.model_dump_json())
        return
    table = Table(title=f"{comparison.suite}: {comparison.shared_items} shared items "
                        f"(A has {comparison.a_items}, B has {comparison.b_items})")
    for header in ("A column", "B column", "A acc", "B acc", "B - A", "only A right", "only B right", "McNemar p"):
        table.add_column(header, justify="left" if "column" in header else "right")
    for c in comparison.columns:
        table.add_row(c.a, c.b, f"{percent(c.a_accuracy)} ({c.a_correct}/{c.items})",
                      f"{percent(c.b_accuracy)} ({c.b_correct}/{c.items})", f"{c.delta:+.1%}",
                      str(c.mcnemar.a_only), str(c.mcnemar.b_only), f"{c.mcnemar.p_value:.4g}")
    console.print(f"A = {a}\nB = {b}", highlight=False)
    console.print(table)


# --------------------------------------------------------------------------- export and plot


def export_command(
    eval_id: str = typer.Argument(..., help="The eval's id."),
    fmt: str = typer.Option("json", "--format", "-f", help="json (everything) or csv (a row per item x column)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
) -> None:
    """Everything an evaluation measured, as JSON or CSV."""
    from server.evals.export import export_csv, export_json

    if fmt not in ("json", "csv"):
        fail(f"unknown format {fmt!r}; choose json or csv")
    store = open_store()
    row, result = load(store, eval_id)
    if fmt == "json":
        text = export_json(as_api(row, result), result or {})
    else:
        text = export_csv(eval_id, parsed(row, result))
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    write(output, text.encode())
    console.print(f"wrote {output}", highlight=False)


def plot_command(
    eval_id: str = typer.Argument(..., help="The eval's id."),
    kind: str = typer.Option("tokens", help="tokens (accuracy vs tokens), passk (code suites) or ratings."),
    output: Path = typer.Option(..., "--output", "-o", help="FILE.png or FILE.svg."),
) -> None:
    """Draw an evaluation with matplotlib: accuracy against tokens per column, or pass@k curves."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        fail(f"the output must end in .png or .svg, not {output.name!r}")
    if kind not in PLOT_KINDS:
        fail(f"unknown plot kind {kind!r}; choose one of {', '.join(PLOT_KINDS)}")
    from server.evals import plots

    store = open_store()
    row, result = load(store, eval_id)
    try:
        image = plots.render(parsed(row, result), kind, fmt)
    except plots.NoPlot as exc:
        fail(str(exc), code=FAILURE_EXIT)
    write(output, image)
    console.print(f"wrote {output} ({len(image):,} bytes)", highlight=False)


def write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}", code=FAILURE_EXIT)


# --------------------------------------------------------------------------- `eval run` records its runs


@contextmanager
def recorded(run_id: str, graph_input: dict[str, Any] | None) -> Iterator[Callable[[dict[str, Any]], None]]:
    """Store a `thinkroom eval run` in the evals table (server.cli.result_runs.recorded)."""
    from workflows.graphs.eval import parse_spec

    with result_runs.recorded(open_store(), parse_spec, run_id, graph_input) as record:
        yield record


def register(app: typer.Typer) -> None:
    """Add list, show, compare, export and plot to the `eval` sub-app."""
    app.command("list")(list_command)
    app.command("show")(show_command)
    app.command("compare")(compare_command)
    app.command("export")(export_command)
    app.command("plot")(plot_command)


__all__ = ["recorded", "register"]
