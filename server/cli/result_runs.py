"""What `thinkroom eval run` and `thinkroom arena run` share: a resumable in-process run of a
result workflow with a live progress bar, and its row in the results table.

The workflow saves each finished item as soon as it ends, so a killed run continues under its
run id; the progress bar is seeded with what the checkpoint already holds.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from agents.llm.gateway import Gateway
from server.version import VERSION

from .common import FAILURE_EXIT, err_console, fail, settings_or_exit

if TYPE_CHECKING:
    from server.results.store import ResultStore


class ItemProgress(ABC):
    """A progress bar fed by a result workflow's `<noun>.start` and `<noun>.item` events.

    A subclass tallies each finished item (`tally_event` live, `tally_result` from a checkpoint)
    and says what the bar shows beside the count (`line`).
    """

    noun: ClassVar[str]

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task(self.noun, total=None, tally="")
        self.done = 0

    @abstractmethod
    def tally_event(self, data: dict[str, Any]) -> None:
        """Count a finished item from its live `<noun>.item` event."""

    @abstractmethod
    def tally_result(self, result: dict[str, Any]) -> None:
        """Count a finished item from its stored result (a resumed run's)."""

    @abstractmethod
    def line(self) -> str:
        """What the bar shows beside the count."""

    def description(self, data: dict[str, Any]) -> str:
        return str(data.get("suite") or self.noun)

    def seed(self, results: list[dict[str, Any]], total: int) -> None:
        """Items a resumed run had already finished."""
        for result in results:
            self.tally_result(result)
            self.done += 1
        self.progress.update(self.task, total=total, completed=self.done, tally=self.line())

    def handle(self, _: str, event: Any) -> None:
        kind, data = event.get("kind"), event.get("data", {})
        if kind == f"{self.noun}.start":
            self.progress.update(self.task, total=data.get("total"), description=self.description(data))
        elif kind == f"{self.noun}.item":
            self.tally_event(data)
            self.done += 1
            self.progress.update(self.task, total=data.get("total"), completed=self.done, tally=self.line())


def suite_fields(suite: str, known: tuple[str, ...]) -> dict[str, Any]:
    """The suite fields of a workflow input for a SUITE argument: a packaged suite's name, or a .jsonl file
    read and checked here (a bad line or an unreadable file is one line and exit 2)."""
    if suite in known:
        return {"suite": suite}
    path = Path(suite)
    if suite.endswith(".jsonl") or path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read suite {suite}: {exc}")
        from tools.evals.jsonl import SuiteErrors, parse_suite

        try:
            parse_suite(text, suite)
        except SuiteErrors as exc:
            fail(str(exc))
        return {"suite": "jsonl", "suite_path": suite, "suite_text": text}
    fail(f"unknown suite {suite!r}; choose one of {', '.join(known)} or a .jsonl file")


def finished_results(snapshot: Any) -> list[dict[str, Any]]:
    """The item results a checkpoint holds: the state's, and those of steps that ended before a kill."""
    found = dict((snapshot.values or {}).get("results") or {})
    for task in snapshot.tasks:
        if task.name == "item" and isinstance(task.result, dict):
            found.update(task.result.get("results") or {})
    return list(found.values())


async def drive(
    workflow: str,
    view_type: type[ItemProgress],
    gateway: Gateway,
    run_id: str,
    graph_input: dict[str, Any] | None,
    refuse_another_spec: Callable[[dict[str, Any], dict[str, Any], str], None],
) -> dict[str, Any]:
    """Start (graph_input) or continue (None) the run; returns its final state values.

    A run id that exists continues only with the spec it was started with (`refuse_another_spec`).
    """
    from workflows.checkpoint import open_checkpointer
    from workflows.context import WorkflowContext
    from workflows.registry import get_workflow
    from workflows.runner import check_input, compile_workflow, run_workflow

    settings = settings_or_exit()
    spec = get_workflow(workflow)
    async with open_checkpointer(settings.checkpoint_path) as saver:
        graph = compile_workflow(workflow, saver)
        config: Any = {"configurable": {"thread_id": run_id}, "metadata": {"workflow": workflow}}
        snapshot = await graph.aget_state(config)
        if graph_input is not None:
            check_input(spec, graph, graph_input)  # one line naming the field, exit 2
            if (snapshot.values or {}).get("spec") is not None:  # this run id exists: continue it
                refuse_another_spec(snapshot.values["spec"], graph_input, run_id)
                graph_input = None
        elif not snapshot.values:
            fail(f"no {workflow} run {run_id!r} in {settings.checkpoint_path}")
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.fields[tally]}")]
        with Progress(*columns, console=err_console, transient=False) as progress:
            view = view_type(progress)
            if snapshot.values and graph_input is None:
                view.seed(finished_results(snapshot), len(snapshot.values.get("item_ids") or []))
            if graph_input is not None or snapshot.next:
                await run_workflow(spec, graph, graph_input, config=config, context=WorkflowContext(gateway),
                                   on_part=view.handle, stream_mode=["custom"])
        return dict((await graph.aget_state(config)).values)


@contextmanager
def recorded(
    store: ResultStore[Any, Any], parse_spec: Callable[[dict[str, Any]], Any], run_id: str,
    graph_input: dict[str, Any] | None,
) -> Iterator[Callable[[dict[str, Any]], None]]:
    """Store a CLI run in its results table: running now, then its result or how it stopped.

    Yields `record(values)`, to call with the run's final state. A run that refuses to start
    (a bad spec, another spec under this run id) leaves the table as it was.
    """
    spec = None
    if graph_input is not None:
        try:
            spec = parse_spec(graph_input)
        except ValueError:  # the run itself reports it, as one line
            yield lambda _values: None
            return
    before = store.repo.get(run_id)
    store.start_cli(run_id, spec, VERSION)
    ended = False

    def record(values: dict[str, Any]) -> None:
        nonlocal ended
        store.finish(run_id, values, VERSION)
        ended = True

    try:
        yield record
    except KeyboardInterrupt:
        store.end(run_id, "interrupted", "KeyboardInterrupt", "stopped with Ctrl-C")
        raise
    except typer.Exit:
        if not ended:  # refused before running: put the row back as it was
            if before is None:
                store.repo.delete(run_id)
            else:
                store.repo.update(run_id, status=before.status, pid=before.pid, error=before.error)
        raise
    except Exception as exc:
        store.end(run_id, "error", type(exc).__name__, str(exc) or type(exc).__name__)
        raise


async def current_results(
    store: ResultStore[Any, Any], workflow: str, rows: list[Any], *, keep: bool
) -> dict[str, dict[str, Any] | None]:
    """Each unfinished row's result from the checkpoint (`keep`: through store.current, which stores it)."""
    from workflows.checkpoint import open_checkpointer
    from workflows.runner import compile_workflow

    found: dict[str, dict[str, Any] | None] = {}
    async with open_checkpointer(settings_or_exit().checkpoint_path) as saver:
        graph = compile_workflow(workflow, saver)
        for row in rows:
            found[store.row_id(row)] = await (store.current(row, graph) if keep else store.progress(row, graph))
    return found


def load(store: ResultStore[Any, Any], workflow: str, row_id: str) -> tuple[Any, dict[str, Any] | None]:
    """The row (status settled) and its result as of now; exit 1 for an unknown id."""
    row = store.get(row_id)
    if row is None:
        fail(f"no {store.noun} {row_id!r}; `thinkroom {store.noun} list` shows them", code=FAILURE_EXIT)
    if row.status == "success":
        return row, row.result
    return row, asyncio.run(current_results(store, workflow, [row], keep=True))[row_id]


__all__ = ["ItemProgress", "current_results", "drive", "finished_results", "load", "recorded", "suite_fields"]
