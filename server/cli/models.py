"""`thinkroom models list|pull`."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TransferSpeedColumn
from rich.table import Table

from agents.llm.gateway import Gateway

from .common import console, run_with_gateway

app = typer.Typer(help="List and download models.", no_args_is_help=True)


@app.command("list")
def list_models() -> None:
    """Models the active backend can serve, with their capabilities."""

    async def work(gateway: Gateway) -> None:
        table = Table(title=f"models on {gateway.backend_name}")
        for column in ("name", "capabilities", "context", "size"):
            table.add_column(column)
        for info in await gateway.list_models():
            size = f"{info.size_bytes / 1e9:.1f} GB" if info.size_bytes else ""
            table.add_row(info.name, ", ".join(info.capabilities), str(info.context_length or ""), size)
        console.print(table)

    run_with_gateway(work)


@app.command("pull")
def pull(name: str = typer.Argument(..., help="Ollama model name, e.g. llama3.2:3b")) -> None:
    """Download an Ollama model, with a progress bar."""

    async def work(gateway: Gateway) -> None:
        columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
        with Progress(*columns, console=console) as progress:
            tasks: dict[str, TaskID] = {}
            async for step in gateway.pull(name):
                key = step.status if step.total is None else f"{step.status}"
                if key not in tasks:
                    tasks[key] = progress.add_task(step.status[:40], total=step.total)
                progress.update(tasks[key], completed=step.completed or 0, total=step.total)
        console.print(f"[green]pulled[/] {name}")

    run_with_gateway(work)
