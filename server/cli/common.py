"""Shared CLI plumbing: settings that fail cleanly and a gateway per command."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console

from agents.llm.errors import GatewayError
from agents.llm.factory import create_gateway
from agents.llm.gateway import Gateway
from agents.settings import Settings, SettingsError, load_settings

T = TypeVar("T")
console = Console()
err_console = Console(stderr=True)


def settings_or_exit() -> Settings:
    """Settings, or a one-line message naming the bad variable and exit code 2."""
    try:
        return load_settings()
    except SettingsError as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None


def run_with_gateway(work: Callable[[Gateway], Awaitable[T]]) -> T:
    """Create the configured gateway, run `work`, and turn model faults into clean exits."""
    settings = settings_or_exit()

    async def main() -> T:
        gateway = await create_gateway(settings)
        try:
            return await work(gateway)
        finally:
            await gateway.close()

    try:
        return asyncio.run(main())
    except GatewayError as exc:
        err_console.print(f"[red]{exc.code}:[/] {exc.message}")
        raise typer.Exit(1) from None
