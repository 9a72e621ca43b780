"""`thinkroom run WORKFLOW` and `thinkroom runs resume RUN_ID`: workflows in-process, checkpointed to SQLite.

A CLI run's id is its LangGraph thread id, so a run interrupted for input, or killed
mid-graph, is continued from its last checkpoint with `thinkroom runs resume`.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import typer
from rich.live import Live

from agents.llm.gateway import Gateway

from .common import console, err_console, fail, run_with_gateway, settings_or_exit
from .live import RunView

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

app = typer.Typer(help="Inspect and resume workflow runs.", no_args_is_help=True)
#: Listed here so `--help` needs no LangGraph import (checked against the registry in tests).
WORKFLOW_NAMES = ("chat", "reason", "lesson", "code", "prompt_lab", "eval", "arena")


def workflows() -> dict[str, Any]:
    """The workflow registry, imported on first use: LangGraph is slow to import."""
    from workflows.registry import WORKFLOWS

    return WORKFLOWS

STRATEGY_FLAGS = ("n", "breadth", "depth", "temperature", "search", "verify_steps", "propose_mode")


def parse_json(raw: str, flag: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        fail(f"{flag} is not valid JSON: {exc}")


def parse_json_object(raw: str | None, flag: str) -> dict[str, Any]:
    if not raw:
        return {}
    value = parse_json(raw, flag)
    if not isinstance(value, dict):
        fail(f"{flag} must be a JSON object")
    return value


async def drive(
    gateway: Gateway, workflow: str, run_id: str, graph_input: Any, *, as_json: bool, workflow_known: bool = True
) -> dict[str, Any]:
    """Stream one run (or its resumption) with a live view; returns the final state values."""
    from workflows.checkpoint import open_checkpointer_for
    from workflows.context import WorkflowContext
    from workflows.registry import get_workflow
    from workflows.runner import check_input, compile_workflow, run_workflow

    settings = settings_or_exit()
    spec = get_workflow(workflow)
    async with open_checkpointer_for(settings.database_url, settings.checkpoint_path) as saver:
        graph = compile_workflow(workflow, saver)
        check_input(spec, graph, graph_input)  # InvalidInput: one line naming the field, exit 2
        config: RunnableConfig = {"configurable": {"thread_id": run_id}, "metadata": {"workflow": workflow}}
        view = RunView(console, show_tokens=not as_json)
        # transient: a failed run leaves only its one-line error; a finished one prints its final view below
        with Live(view.render(), console=err_console, refresh_per_second=8, transient=True) as live:

            def show(_: str, part: Any) -> None:
                view.handle(part)
                live.update(view.render())

            await run_workflow(
                spec, graph, graph_input, config=config, context=WorkflowContext(gateway),
                on_part=show, stream_mode=["custom"],
            )
        err_console.print(view.render())
        state = await graph.aget_state(config)
    values = dict(state.values)
    interrupts = [i.value for task in state.tasks for i in task.interrupts]
    if not as_json:
        console.print()
    if interrupts:
        values["__interrupt__"] = interrupts
    return values


def report(values: dict[str, Any], run_id: str, as_json: bool) -> None:
    interrupts = values.get("__interrupt__")
    if as_json:
        console.print_json(json.dumps({"run_id": run_id, "state": values}, default=str))
    else:
        for key in ("explanation", "answer", "verified", "verdict", "grades", "rewritten_prompt"):
            if key in values and values[key] not in (None, ""):
                console.print(f"[bold]{key}:[/] {values[key]}")
    if interrupts:
        err_console.print(f"[yellow]paused for input:[/] {json.dumps(interrupts, default=str)[:2000]}")
        err_console.print(f"resume with: thinkroom runs resume {run_id} --input '{{\"answers\": [...]}}'")
    err_console.print(f"[dim]run id: {run_id}[/]")


def run_command(
    workflow: str = typer.Argument(..., help=f"One of: {', '.join(WORKFLOW_NAMES)}"),
    input_json: str | None = typer.Option(None, "--input", help="The workflow's input as a JSON object."),
    strategy: str | None = typer.Option(None, help="direct, cot, cot_sc or tot (reason/chat workflows)."),
    n: int | None = typer.Option(None, help="Samples for cot_sc."),
    breadth: int | None = typer.Option(None, help="ToT breadth b."),
    depth: int | None = typer.Option(None, help="ToT depth T."),
    search: str | None = typer.Option(None, help="ToT search: bfs or dfs."),
    temperature: float | None = typer.Option(None, help="Sampling temperature for the strategy."),
    verify_steps: bool | None = typer.Option(
        None,
        "--verify-steps/--no-verify-steps",
        help="ToT: prune steps the task's exact verifier rejects before valuing them (default on; off = the paper).",
    ),
    propose_mode: str | None = typer.Option(
        None, help="ToT proposals: free (the model writes steps; the paper), choice (it picks legal steps), auto."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the final state as JSON."),
    run_id: str | None = typer.Option(None, "--run-id", help="Name the run (default: a new UUID)."),
) -> None:
    """Run a workflow with live progress; the final state is checkpointed under its run id."""
    if workflow not in workflows():
        fail(f"unknown workflow {workflow!r}; choose one of {', '.join(workflows())}")
    graph_input = parse_json_object(input_json, "--input")
    if strategy:
        graph_input["strategy"] = strategy
    flags = {
        "n": n,
        "breadth": breadth,
        "depth": depth,
        "temperature": temperature,
        "search": search,
        "verify_steps": verify_steps,
        "propose_mode": propose_mode,
    }
    overrides = {k: v for k, v in flags.items() if v is not None}
    if overrides:
        graph_input["config"] = {**graph_input.get("config", {}), **overrides}
    run_id = run_id or str(uuid.uuid4())
    err_console.print(f"[dim]run id: {run_id}[/]")

    async def work(gateway: Gateway) -> dict[str, Any]:
        return await drive(gateway, workflow, run_id, graph_input, as_json=as_json)

    report(run_with_gateway(work), run_id, as_json)


@app.command("resume")
def resume(
    run_id: str = typer.Argument(..., help="The run id printed by `thinkroom run`."),
    input_json: str | None = typer.Option(None, "--input", help="Answer to the pending interrupt, as JSON."),
    as_json: bool = typer.Option(False, "--json", help="Print the final state as JSON."),
) -> None:
    """Continue a run: answer its interrupt, or pick up after a crash from the last checkpoint."""
    from langgraph.types import Command

    answer = parse_json(input_json, "--input") if input_json else None

    async def work(gateway: Gateway) -> dict[str, Any]:
        from workflows.checkpoint import open_checkpointer_for

        settings = settings_or_exit()
        async with open_checkpointer_for(settings.database_url, settings.checkpoint_path) as saver:
            tuple_ = await saver.aget_tuple({"configurable": {"thread_id": run_id}})
        if tuple_ is None:
            fail(f"no run {run_id!r} in {settings.checkpoint_path}")
        workflow = str(tuple_.metadata.get("workflow", "")) if tuple_.metadata else ""
        if workflow not in workflows():
            fail(f"run {run_id} has no known workflow ({workflow!r})")
        graph_input: Any = Command(resume=answer) if answer is not None else None
        return await drive(gateway, workflow, run_id, graph_input, as_json=as_json)

    report(run_with_gateway(work), run_id, as_json)


@app.command("show")
def show(run_id: str, as_json: bool = typer.Option(True, "--json/--no-json")) -> None:
    """Print a run's latest checkpointed state."""
    import asyncio

    async def load() -> dict[str, Any] | None:
        from workflows.checkpoint import open_checkpointer_for

        settings = settings_or_exit()
        async with open_checkpointer_for(settings.database_url, settings.checkpoint_path) as saver:
            found = await saver.aget_tuple({"configurable": {"thread_id": run_id}})
            return None if found is None else dict(found.checkpoint.get("channel_values", {}))

    values = asyncio.run(load())
    if values is None:
        fail(f"no run {run_id!r}")
    console.print_json(json.dumps(values, default=str))
