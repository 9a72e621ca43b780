"""`thinkroom arena run|list|show|ratings|export|plot`: blind pairwise arenas of models and agents.

An arena is an ordinary `arena` workflow run, in-process through `workflows.runner` with the
SQLite checkpointer, so each prompt's answers and judged pairs are saved as soon as they are
done and a killed arena continues with `--resume`. Every run is recorded in the arenas table,
which `/api/arenas` reads too (people vote on its pairs in the dashboard).
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from agents.llm.gateway import Gateway

from . import result_runs
from .common import FAILURE_EXIT, console, err_console, fail, run_with_gateway, settings_or_exit
from .result_runs import ItemProgress

if TYPE_CHECKING:

    from server.arena.store import ArenaStore
    from server.db.arena_tables import ArenaRow
    from workflows.arena.schema import ArenaResult, RatingsView

app = typer.Typer(help="Compare models or agents blind on the same prompts; Bradley-Terry ratings.",
                  no_args_is_help=True)
#: Listed here so `--help` needs no import of the suites.
SUITES = ("humaneval", "gsm8k", "game24", "quiz")
SOURCES = ("judge", "human", "combined")
RESUME_HELP = """\
Every arena has an id (printed first; --run-id names it). Each prompt's answers and judged
pairs are checkpointed as soon as they are done, so an arena that was killed continues:

  thinkroom arena run --resume ID
"""


def spec_input(
    prompts: str | None, prompt: list[str], contestants: list[str], judge: str, judge_model: str | None,
    critique: bool, both_orders: bool, limit: int | None, offset: int, seed: int, workers: int, max_tokens: int,
) -> dict[str, Any]:
    """The `arena` workflow's input for the command line's arguments (a .jsonl path is read here)."""
    if (prompts is None) == (not prompt):
        fail("give --prompts SUITE (gsm8k, game24, quiz, humaneval or a .jsonl file) or --prompt TEXT (repeatable)")
    if len(contestants) < 2:
        fail("give at least two --contestant (a model name, or an agent as agent@model)")
    graph_input: dict[str, Any] = {
        "contestants": contestants, "judge": judge, "judge_model": judge_model, "critique": critique,
        "both_orders": both_orders, "limit": limit, "offset": offset, "seed": seed, "workers": workers,
        "max_tokens": max_tokens,
    }
    if prompts is None:
        return {"prompts": prompt, **graph_input}
    return {**result_runs.suite_fields(prompts, SUITES), **graph_input}


class ArenaProgress(ItemProgress):
    """A progress bar with each contestant's running wins-losses-ties, fed by the run's `arena.item` events."""

    noun = "arena"

    def __init__(self, progress: Progress) -> None:
        super().__init__(progress)
        self.record: dict[str, list[int]] = {}

    def tally_result(self, result: dict[str, Any]) -> None:
        self.tally([{"a": p["a"], "b": p["b"], "winner": p["winner"]} for p in result.get("pairs", [])])

    def tally_event(self, data: dict[str, Any]) -> None:
        self.tally(data.get("pairs", []))

    def tally(self, pairs: list[dict[str, Any]]) -> None:
        for pair in pairs:
            winner = pair.get("winner")
            if winner is None:
                continue
            for who, side in ((pair["a"], "a"), (pair["b"], "b")):
                tally = self.record.setdefault(who, [0, 0, 0])
                tally[2 if winner == "tie" else 0 if winner == side else 1] += 1

    def line(self) -> str:
        return "  ".join(f"{who} {w}-{lo}-{t}" for who, (w, lo, t) in self.record.items())

    def description(self, data: dict[str, Any]) -> str:
        return f"arena {data.get('source')}"


async def drive(gateway: Gateway, run_id: str, graph_input: dict[str, Any] | None) -> dict[str, Any]:
    """Start (graph_input) or continue (None) the arena; returns its final state values."""
    return await result_runs.drive("arena", ArenaProgress, gateway, run_id, graph_input, refuse_another_spec)


def refuse_another_spec(stored: dict[str, Any], graph_input: dict[str, Any], run_id: str) -> None:
    from workflows.graphs.arena import parse_spec

    if parse_spec(graph_input).model_dump() != stored:
        fail(f"arena {run_id!r} exists with other prompts or contestants; continue it with --resume {run_id} "
             "or give a new --run-id")


# --------------------------------------------------------------------------- the arenas table


def open_store() -> ArenaStore:
    from server.arena.store import ArenaStore
    from server.db import Database

    return ArenaStore(Database(settings_or_exit().database_url))


@contextmanager
def recorded(run_id: str, graph_input: dict[str, Any] | None) -> Iterator[Callable[[dict[str, Any]], None]]:
    """Store a `thinkroom arena run` in the arenas table (server.cli.result_runs.recorded)."""
    from workflows.graphs.arena import parse_spec

    with result_runs.recorded(open_store(), parse_spec, run_id, graph_input) as record:
        yield record


def load(store: ArenaStore, arena_id: str) -> tuple[ArenaRow, dict[str, Any] | None]:
    """The arena (status settled) and its result as of now; exit 1 for an unknown id."""
    return result_runs.load(store, "arena", arena_id)


def parsed(row: ArenaRow, result: dict[str, Any] | None) -> ArenaResult:
    from workflows.arena.schema import ArenaResult

    if result is None:
        fail(f"arena {row.arena_id} has no finished prompt yet (it is {row.status})", code=FAILURE_EXIT)
    return ArenaResult.model_validate(result)


def rated(store: ArenaStore, arena_id: str, result: ArenaResult, sources: tuple[str, ...]) -> dict[str, RatingsView]:
    from server.arena.votes import ratings
    from tools.evals.ratings import BOOTSTRAP_ROUNDS

    votes = [(v.pair_id, v.winner) for v in store.repo.votes(arena_id)]
    return {s: ratings(arena_id, result, votes, s, rounds=BOOTSTRAP_ROUNDS) for s in sources}  # type: ignore[arg-type]


# --------------------------------------------------------------------------- views


def _interval(low: float | None, high: float | None) -> str:
    return "-" if low is None or high is None else f"[{low:.0f}, {high:.0f}]"


def ratings_table(view: RatingsView, title: str) -> Table:
    table = Table(title=f"{title}: {view.outcomes} outcomes" + (f", {view.rounds} bootstrap rounds" if view.rounds
                                                                 else ""))
    for header in ("#", "contestant", "rating", "95% CI", "won", "lost", "tied"):
        if header == "contestant":
            table.add_column(header, overflow="fold")
        else:
            table.add_column(header, justify="right")
    for rank, r in enumerate(view.ratings, 1):
        table.add_row(str(rank), escape(r.contestant), f"{r.elo:.0f}", _interval(r.low, r.high), str(r.wins),
                      str(r.losses), str(r.ties))
    if view.outcomes and all(r.low == r.high for r in view.ratings):
        table.caption = "every outcome was the same, so every bootstrap resample is: the interval has no width"
    return table


def render(result: ArenaResult, arena_id: str) -> None:
    console.print(f"[bold]arena {arena_id}[/]  {result.spec.suite or 'prompts'}  {len(result.items)} of "
                  f"{result.total_items} prompts", highlight=False)
    console.print(f"judge: {result.judge.persona}@{result.judge.framework} on {escape(result.judge.model)}; "
                  f"pairs {result.pairs}: {result.verified_pairs} verified, {result.persona_pairs} by the "
                  f"{result.judge.persona}, {result.failed_pairs} failed", highlight=False)
    console.print(ratings_table(result.ratings, "Bradley-Terry ratings (judge)"))


def as_json(result: dict[str, Any], arena_id: str) -> str:
    """One object: what was compared, the pair counts and each contestant's rating."""
    keys = ("pairs", "verified_pairs", "persona_pairs", "failed_pairs", "total_items", "contestants", "judge")
    body = {"arena_id": arena_id, "source": result["spec"]["suite"] or "prompts", "prompts": len(result["items"]),
            **{k: result[k] for k in keys}, "ratings": result["ratings"]}
    return json.dumps(body)


@app.command("run", epilog=RESUME_HELP)
def run(
    prompts: str | None = typer.Option(None, "--prompts", "-p", help="gsm8k, game24, quiz, humaneval or a .jsonl."),
    prompt: list[str] = typer.Option([], "--prompt", help="An inline prompt without a known answer (repeatable)."),
    contestant: list[str] = typer.Option([], "--contestant", "-c",
                                         help="A model name, or an agent as agent@model (repeatable, 2 or more)."),
    judge: str = typer.Option("evaluator", help="The judging persona (evaluator, or evaluator@crewai)."),
    judge_model: str | None = typer.Option(None, help="The judge's model (default: the backend's)."),
    critique: bool = typer.Option(True, "--critique/--no-critique",
                                  help="The judge's framework turn compares the answers before its choice."),
    both_orders: bool = typer.Option(True, "--both-orders/--one-order",
                                     help="Judge each pair as shown and swapped; a win must survive the swap."),
    limit: int | None = typer.Option(None, min=1, help="At most this many prompts of the suite."),
    offset: int = typer.Option(0, min=0, help="Skip this many prompts of the suite first."),
    seed: int = typer.Option(0, min=0, help="Answer seeds, the blind A/B order and the bootstrap."),
    workers: int = typer.Option(1, min=1, max=8, help="Prompts answered and judged at once."),
    max_tokens: int = typer.Option(256, min=16, max=4096, help="Longest answer of a model contestant."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object instead of the tables."),
    run_id: str | None = typer.Option(None, "--run-id", help="Name the arena (default: a new UUID)."),
    resume: str | None = typer.Option(None, "--resume", help="Continue this arena from its checkpoint."),
) -> None:
    """Every contestant answers every prompt; every pair is judged blind; then the Bradley-Terry table."""
    if resume is not None:
        if prompts is not None or prompt or contestant or limit or offset or run_id is not None:
            fail("--resume continues an arena as it was started: give only --resume ID (and --json)")
        run_id, graph_input = resume, None
    else:
        graph_input = spec_input(prompts, prompt, contestant, judge, judge_model, critique, both_orders, limit, offset,
                                 seed, workers, max_tokens)
        run_id = run_id or str(uuid.uuid4())
    err_console.print(f"[dim]arena id: {run_id} (continue after a kill: thinkroom arena run --resume {run_id})[/]")

    async def work(gateway: Gateway) -> dict[str, Any]:
        return await drive(gateway, run_id, graph_input)

    with recorded(run_id, graph_input) as record:
        values = run_with_gateway(work)
        record(values)
    result = values.get("result")
    if not result:
        fail(f"arena {run_id} has not finished; continue it with: thinkroom arena run --resume {run_id}", code=1)
    if json_out:
        console.print_json(as_json(result, run_id))
        return
    from workflows.arena.schema import ArenaResult

    render(ArenaResult.model_validate(result), run_id)


@app.command("list")
def list_command(
    limit: int = typer.Option(20, min=1, max=1000, help="At most this many, newest first."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object (as GET /api/arenas)."),
) -> None:
    """The stored arenas, newest first, with the judge's leader."""
    from server.db.arena import as_api

    store = open_store()
    store.settle_running()
    arenas = [as_api(row, votes=store.repo.vote_count(row.arena_id)) for row in store.repo.search(limit=limit)]
    if json_out:
        console.print_json(json.dumps({"arenas": arenas, "total": store.repo.count()}))
        return
    if not arenas:
        console.print("no arenas stored yet (thinkroom arena run ..., or POST /api/arenas)")
        return
    table = Table(title=f"arenas ({len(arenas)} of {store.repo.count()})")
    for header in ("id", "prompts", "status", "done", "contestants", "leader (judge)", "votes", "created"):
        table.add_column(header)
    for a in arenas:
        leader = (a.get("ratings") or {}).get("ratings") or []
        top = f"{leader[0]['contestant']} {leader[0]['elo']:.0f}" if leader and a.get("ratings", {}).get(
            "outcomes") else "-"
        table.add_row(a["arena_id"], a["suite"], a["status"], f"{a['items_done']}/{a['total_items']}",
                      escape(", ".join(a["contestants"])), escape(top), str(a["human_votes"]),
                      (a["created_at"] or "")[:19])
    console.print(table)


@app.command("show")
def show_command(
    arena_id: str = typer.Argument(..., help="The arena's id (thinkroom arena list)."),
    pairs: bool = typer.Option(False, "--pairs", help="Also list every judged pair (names shown)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object (as GET /api/arenas/{id})."),
) -> None:
    """One arena: its setting, the judge's ratings, and (--pairs) who won each pair and who decided."""
    from server.db.arena import as_api

    store = open_store()
    row, result = load(store, arena_id)
    meta = as_api(row, result, votes=store.repo.vote_count(arena_id))
    if json_out:
        body = {**meta, **({"items": (result or {}).get("items", [])} if pairs else {})}
        console.print_json(json.dumps(body))
        return
    if meta["error"]:
        console.print(f"[red]{escape(str(meta['error'].get('message', meta['error'])))}[/]")
    if result is None:
        console.print(f"arena {arena_id} ({row.status}): no prompt has finished yet")
        return
    arena = parsed(row, result)
    console.print(f"status {row.status}  source {row.source}  version {row.thinkroom_version}  "
                  f"people's votes {meta['human_votes']}", highlight=False)
    render(arena, arena_id)
    if pairs:
        table = Table(title="pairs (A and B as the judge saw them)")
        for header in ("pair", "A", "B", "winner", "by"):
            table.add_column(header)
        for item in arena.items:
            for p in item.pairs:
                winner = {"a": p.a, "b": p.b, "tie": "tie", None: "(failed)"}[p.winner]
                by = p.judgement.method + (f" ({p.judgement.persona}@{p.judgement.framework})"
                                           if p.judgement.by == "persona" else "")
                table.add_row(p.pair_id, escape(p.a), escape(p.b), escape(winner), by)
        console.print(table)


@app.command("ratings")
def ratings_command(
    arena_id: str = typer.Argument(..., help="The arena's id."),
    source: str = typer.Option("all", help="judge, human (people's votes), combined, or all."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object (as GET /api/arenas/{id}/ratings)."),
) -> None:
    """Bradley-Terry ratings with 95% bootstrap intervals: from the judge, people's votes, and both."""
    if source not in (*SOURCES, "all"):
        fail(f"unknown source {source!r}; choose judge, human, combined or all")
    store = open_store()
    row, result = load(store, arena_id)
    views = rated(store, arena_id, parsed(row, result), SOURCES if source == "all" else (source,))
    if json_out:
        console.print_json(json.dumps({"arena_id": arena_id, **{k: v.model_dump(mode="json")
                                                                 for k, v in views.items()}}))
        return
    titles = {"judge": "the judge (verifier + evaluator)", "human": "people's votes", "combined": "judge + people"}
    for name, view in views.items():
        console.print(ratings_table(view, titles[name]))


@app.command("export")
def export_command(
    arena_id: str = typer.Argument(..., help="The arena's id."),
    fmt: str = typer.Option("json", "--format", "-f", help="json (everything) or csv."),
    table: str = typer.Option("pairs", help="With csv: pairs (a row per pair) or ratings."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
) -> None:
    """Everything an arena measured, as JSON or CSV."""
    from server.arena.export import export_json, export_pairs_csv, export_ratings_csv
    from server.db.arena import as_api

    if fmt not in ("json", "csv"):
        fail(f"unknown format {fmt!r}; choose json or csv")
    if table not in ("pairs", "ratings"):
        fail(f"unknown table {table!r}; choose pairs or ratings")
    store = open_store()
    row, result = load(store, arena_id)
    arena = parsed(row, result)
    views = rated(store, arena_id, arena, SOURCES)
    votes = store.repo.votes(arena_id)
    if fmt == "json":
        rows = [{"vote_id": v.vote_id, "pair_id": v.pair_id, "winner": v.winner} for v in votes]
        text = export_json(as_api(row, result, votes=len(votes)), result or {}, rows, views)
    elif table == "pairs":
        text = export_pairs_csv(arena_id, arena, {v.pair_id: v.winner for v in votes})
    else:
        text = export_ratings_csv(arena_id, views)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    write(output, text.encode())
    console.print(f"wrote {output}", highlight=False)


@app.command("plot")
def plot_command(
    arena_id: str = typer.Argument(..., help="The arena's id."),
    output: Path = typer.Option(..., "--output", "-o", help="FILE.png or FILE.svg."),
    source: str = typer.Option("all", help="judge, human, combined, or all."),
) -> None:
    """Draw the Bradley-Terry ratings with their 95% intervals (matplotlib)."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        fail(f"the output must end in .png or .svg, not {output.name!r}")
    if source not in (*SOURCES, "all"):
        fail(f"unknown source {source!r}; choose judge, human, combined or all")
    from server.arena import plots

    store = open_store()
    row, result = load(store, arena_id)
    arena = parsed(row, result)
    views = rated(store, arena_id, arena, SOURCES if source == "all" else (source,))
    try:
        image = plots.render(f"arena on {arena.spec.suite or 'prompts'}, {len(arena.items)} prompts",
                             list(views.values()), fmt)
    except plots.NoPlot as exc:
        fail(str(exc), code=FAILURE_EXIT)
    write(output, image)
    console.print(f"wrote {output} ({len(image):,} bytes)", highlight=False)


def write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}", code=FAILURE_EXIT)


__all__ = ["app"]
