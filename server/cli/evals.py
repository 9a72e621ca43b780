"""`thinkroom eval run`: score a benchmark suite with reference, strategy and agent columns, resumably.

An evaluation is an ordinary `eval` workflow run, in-process through `workflows.runner`
with the SQLite checkpointer, so each item's result is saved as soon as it is scored.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import typer
from rich.progress import Progress
from rich.table import Table

from agents.llm.gateway import Gateway

from . import eval_views, result_runs
from .common import console, err_console, fail, run_with_gateway
from .result_runs import ItemProgress

app = typer.Typer(help="Evaluate strategies, agents and models on benchmark suites.", no_args_is_help=True)
#: Listed here so `--help` needs no import of the suites (checked against agents.evals.suites in tests).
SUITES = ("humaneval", "gsm8k", "game24", "quiz")
STRATEGIES = ("direct", "cot", "cot_sc", "tot", "code_tree", "tutor_sc", "prompt", "prompt_search")
RESUME_HELP = """\
Every run has a run id (printed first; --run-id names it). Each item's result is checkpointed
as soon as it is scored, so a run that was killed or failed continues where it stopped:

  thinkroom eval run --resume RUN_ID      (SUITE and the column flags come from the run)

Running `thinkroom eval run SUITE ... --run-id RUN_ID` again with the same suite and flags
continues it too, skipping the finished items; a finished run just prints its table again.
"""


def spec_input(
    suite: str, strategies: list[str], models: list[str], agent: str | None, reference: bool,
    limit: int | None, offset: int, samples: int, seed: int, workers: int, timeout_s: float,
    prompt: str | None = None, train: int = 3,
) -> dict[str, Any]:
    """The `eval` workflow's input for the command line's arguments (a .jsonl path is read here)."""
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown:
        fail(f"unknown strategy {unknown[0]!r}; choose from {', '.join(STRATEGIES)}")
    graph_input: dict[str, Any] = {
        "strategies": strategies, "models": models, "agent": agent, "reference": reference, "limit": limit,
        "offset": offset, "samples": samples, "seed": seed, "workers": workers, "timeout_s": timeout_s,
        "prompt": prompt, "train": train,
    }
    return {**result_runs.suite_fields(suite, SUITES), **graph_input}


class EvalProgress(ItemProgress):
    """A progress bar with every column's running accuracy, fed by the run's `eval.item` events."""

    noun = "eval"

    def __init__(self, progress: Progress) -> None:
        super().__init__(progress)
        self.counts: dict[str, list[int]] = {}

    def tally_result(self, result: dict[str, Any]) -> None:
        self.tally({cid: bool(o["correct"]) for cid, o in result["outputs"].items()})

    def tally_event(self, data: dict[str, Any]) -> None:
        self.tally(data.get("correct", {}))

    def tally(self, correct: dict[str, bool]) -> None:
        for column_id, right in correct.items():
            counts = self.counts.setdefault(column_id, [0, 0])
            counts[0] += right
            counts[1] += 1

    def line(self) -> str:
        return "  ".join(f"{cid} {c / n:.0%}" for cid, (c, n) in self.counts.items() if n)


async def drive(gateway: Gateway, run_id: str, graph_input: dict[str, Any] | None) -> dict[str, Any]:
    """Start (graph_input) or continue (None) the run; returns its final state values."""
    return await result_runs.drive("eval", EvalProgress, gateway, run_id, graph_input, refuse_another_spec)


def refuse_another_spec(stored: dict[str, Any], graph_input: dict[str, Any], run_id: str) -> None:
    """An existing run id continues only with the suite and flags it was started with."""
    from workflows.graphs.eval import parse_spec

    if parse_spec(graph_input).model_dump() != stored:
        fail(f"run {run_id!r} exists with another suite or flags; continue it with --resume {run_id} or a new --run-id")


def render(result: dict[str, Any]) -> None:
    """The arena: accuracy, then cost per item, then the paired tests (three narrow tables)."""
    from workflows.evals.schema import EvalResult

    parsed = EvalResult.model_validate(result)
    code = any(c.pass_at_k for c in parsed.columns)
    scores = Table(title=f"{parsed.spec.suite}: {len(parsed.items)} of {parsed.total_items} items")
    for header in ("column", "accuracy", "95% CI", "right", "errors", *(("pass@1", "pass@10") if code else ())):
        scores.add_column(header, justify="left" if header == "column" else "right")
    cost = Table(title="per item: tokens, model calls, seconds; accuracy per 1,000 tokens")
    for header in ("column", "prompt", "eval'd", "output", "calls", "s", "acc/1k"):
        cost.add_column(header, justify="left" if header == "column" else "right")
    for c in parsed.columns:
        per_k = [f"{c.pass_at_k[k]:.3f}" if k in c.pass_at_k else "-" for k in ("pass@1", "pass@10")] if code else []
        scores.add_row(c.id, f"{c.accuracy:.3f}", f"[{c.wilson95.low:.3f}, {c.wilson95.high:.3f}]",
                       f"{c.correct}/{c.items}", str(c.errors), *per_k)
        n = max(c.items, 1)
        per_1k = f"{c.accuracy_per_1k_tokens:.3f}" if c.accuracy_per_1k_tokens is not None else "-"
        cost.add_row(c.id, f"{c.prompt_tokens / n:.0f}", f"{c.evaluated_prompt_tokens / n:.0f}",
                     f"{c.completion_tokens / n:.0f}", f"{c.calls_per_item:.2f}", f"{c.seconds_per_item:.2f}", per_1k)
    console.print(scores)
    if any(c.kind != "reference" for c in parsed.columns):
        console.print(cost)
    if parsed.mcnemar:
        tests = Table(title="paired exact McNemar tests")
        for header in ("a", "b", "only a right", "only b right", "p"):
            tests.add_column(header, justify="left" if header in ("a", "b") else "right")
        for m in parsed.mcnemar:
            tests.add_row(m.a, m.b, str(m.a_only), str(m.b_only), f"{m.p_value:.4g}")
        console.print(tests)
    for found in parsed.prompts:
        train = lambda x: "-" if x is None else f"{x:.1f}/10"  # noqa: E731
        applied = ", ".join(found.techniques) or "none: the original scored best"
        console.print(f"[bold]{found.column}[/] searched {found.prompts_tried} prompts on {len(found.train_items)} "
                      f"other items (original {train(found.original_train_score)}, chosen {train(found.train_score)}); "
                      f"techniques: {applied}; the search cost {found.search_calls} calls, "
                      f"{found.search_prompt_tokens:,} + {found.search_completion_tokens:,} tokens, "
                      f"{found.search_seconds:.0f} s")
        console.print(found.prompt, markup=False, highlight=False)


def as_json(result: dict[str, Any], run_id: str) -> str:
    """One object: the suite, the item count, and each column's accuracy (and pass@k for code)."""
    columns = []
    for c in result["columns"]:
        entry = {"id": c["id"], "accuracy": c["accuracy"], "correct": c["correct"], "items": c["items"],
                 "wilson95": [c["wilson95"]["low"], c["wilson95"]["high"]], "errors": c["errors"]}
        columns.append({**entry, **c["pass_at_k"]})
    body = {"run_id": run_id, "suite": result["spec"]["suite"], "items": len(result["items"]), "columns": columns,
            "mcnemar": result["mcnemar"], "prompts": result.get("prompts", [])}
    return json.dumps(body)


@app.command("run", epilog=RESUME_HELP)
def run(
    suite: str | None = typer.Argument(None, help="humaneval, gsm8k, game24, quiz, or a .jsonl file."),
    strategy: list[str] = typer.Option(
        [], "--strategy", "-s",
        help="A strategy column: direct, cot, cot_sc, tot, code_tree (code), tutor_sc, prompt (the --prompt as "
        "given) or prompt_search (its best variant, searched on --train other items).",
    ),
    prompt: str | None = typer.Option(
        None, "--prompt", help="The instruction the prompt columns apply ({input} marks where the item goes)."
    ),
    train: int = typer.Option(3, "--train", min=1, max=50, help="prompt_search: items it searches on (not scored)."),
    model: list[str] = typer.Option([], "--model", "-m", help="Run the columns on this model (repeatable)."),
    agent: str | None = typer.Option(None, help="A persona column (the coder for code suites)."),
    limit: int | None = typer.Option(None, min=1, help="At most this many items (game24: 100 by default)."),
    offset: int = typer.Option(0, min=0, help="Skip this many items first (game24 starts at puzzle 900)."),
    samples: int = typer.Option(1, "--samples", "-n", min=1, max=200, help="Samples per code item (pass@k, k<=n)."),
    reference: bool = typer.Option(False, "--reference", help="A column answering with the dataset's solutions."),
    workers: int = typer.Option(1, min=1, max=32, help="Items (and sandbox processes) evaluated at once."),
    seed: int = typer.Option(0, help="Base seed of every model call."),
    timeout: float = typer.Option(10.0, min=0.1, max=300, help="Sandbox seconds per code sample."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object instead of the tables."),
    run_id: str | None = typer.Option(None, "--run-id", help="Name the run (default: a new UUID)."),
    resume: str | None = typer.Option(None, "--resume", help="Continue this run from its checkpoint."),
) -> None:
    """Score SUITE with reference, strategy and agent columns; live accuracy, then the arena table."""
    if resume is not None:
        given = suite is not None or strategy or model or agent or reference or limit or offset or samples != 1
        if given or run_id is not None:
            fail("--resume continues a run as it was started: give only --resume RUN_ID (and --json)")
        run_id, graph_input = resume, None
    else:
        if suite is None:
            fail("give a SUITE (humaneval, gsm8k, game24, quiz or a .jsonl file), or --resume RUN_ID")
        graph_input = spec_input(suite, strategy, model, agent, reference, limit, offset, samples, seed, workers,
                                 timeout, prompt, train)
        run_id = run_id or str(uuid.uuid4())
    err_console.print(f"[dim]run id: {run_id} (continue after a kill: thinkroom eval run --resume {run_id})[/]")

    async def work(gateway: Gateway) -> dict[str, Any]:
        return await drive(gateway, run_id, graph_input)

    with eval_views.recorded(run_id, graph_input) as record:  # into the evals table (eval list/show)
        values = run_with_gateway(work)
        record(values)
    result = values.get("result")
    if not result:
        fail(f"run {run_id} has not finished; continue it with: thinkroom eval run --resume {run_id}", code=1)
    if json_out:
        console.print_json(as_json(result, run_id))
    else:
        render(result)


eval_views.register(app)  # list, show, compare, export, plot
