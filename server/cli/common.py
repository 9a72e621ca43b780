"""Shared CLI plumbing: one-line errors for every command, settings that fail cleanly, a gateway per command.

Every command runs inside `GuardedGroup`, which turns the project's expected failures
into one line on stderr and an exit code: 2 for bad input (an unknown name, invalid JSON
or config), 1 for a failure (the model backend, an agent run). A traceback is only ever
printed for a bug, by Python's own printer (typer's rich printer is off: it loops forever
on an exception chain that comes back to itself).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from typer import _click
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer.core import TyperGroup
from typer.exceptions import TyperException

from agents.errors import AgentRunError
from agents.llm.errors import GatewayError, ModelNotFound
from agents.llm.factory import create_gateway
from agents.llm.gateway import Gateway
from agents.settings import Settings, SettingsError, load_settings

T = TypeVar("T")
console = Console()
err_console = Console(stderr=True)
#: The longest error line printed; the rest of a huge message (a whole prompt...) is cut.
MAX_ERROR_CHARS = 400

USAGE_EXIT = 2
FAILURE_EXIT = 1


def one_line(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe_validation(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors()]
    return "invalid input: " + "; ".join(parts)


def _expected(error: BaseException) -> tuple[int, str] | None:
    if isinstance(error, GatewayError):
        return FAILURE_EXIT, f"{error.code}: {error.message}"
    if isinstance(error, AgentRunError):
        return FAILURE_EXIT, str(error)
    if isinstance(error, SettingsError):
        return USAGE_EXIT, str(error)
    if isinstance(error, ValidationError):
        return USAGE_EXIT, describe_validation(error)
    if isinstance(error, KeyError):  # the registries' "unknown workflow/agent/concept ...; choose one of ..."
        return USAGE_EXIT, str(error.args[0]) if error.args else "unknown name"
    if isinstance(error, ValueError):  # workflow input validation
        return USAGE_EXIT, str(error)
    return None


def describe_failure(error: BaseException) -> tuple[int, str] | None:
    """(exit code, one line) for an expected failure, also when wrapped by a framework; None for a bug."""
    found = _expected(error)
    if found is None:
        link = error.__cause__ or error.__context__
        seen: set[int] = {id(error)}
        while link is not None and id(link) not in seen and found is None:
            if isinstance(link, GatewayError | AgentRunError):
                found = _expected(link)
            seen.add(id(link))
            link = link.__cause__ or link.__context__
    if found is None:
        return None
    code, message = found
    return code, one_line(message)


def print_error(message: str) -> None:
    err_console.print(f"[red]error:[/] {escape(message)}", soft_wrap=True, highlight=False)


def fail(message: str, code: int = USAGE_EXIT) -> NoReturn:
    """Print `message` as the one error line and exit with `code` (2: bad input, 1: failure)."""
    print_error(one_line(message))
    raise typer.Exit(code)


def _usage_line(error: UsageError) -> str:
    where = error.ctx.command_path if error.ctx is not None else "thinkroom"
    return f"{error.format_message()} (see '{where} --help')"


def _is_help(error: UsageError) -> bool:
    """click's "no arguments, so show the help" is a UsageError too; that one keeps its full output."""
    return isinstance(error, NoArgsIsHelpError)


class GuardedGroup(TyperGroup):
    """The root command group: expected failures become one line and an exit code, never a traceback.

    Usage errors (an unknown option, a missing argument) at any level are one line and exit 2
    too, instead of click's usage block and typer's boxed message.
    """

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except UsageError as exc:
            if _is_help(exc):
                raise
            print_error(one_line(_usage_line(exc)))
            raise typer.Exit(USAGE_EXIT) from None

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:  # a subcommand's options or arguments
            if _is_help(exc):
                raise
            print_error(one_line(_usage_line(exc)))
            raise typer.Exit(USAGE_EXIT) from None
        except (typer.Exit, typer.Abort, TyperException):  # exits: typer reports them
            raise
        except Exception as exc:  # classified below; a bug is re-raised
            described = describe_failure(exc)
            if described is None:
                raise
            code, message = described
            print_error(message)
            raise typer.Exit(code) from None


def cli_app(**kwargs: Any) -> typer.Typer:
    """The root Typer app: guarded, and with typer's rich traceback printer off."""
    return typer.Typer(cls=GuardedGroup, pretty_exceptions_enable=False, **kwargs)


def settings_or_exit() -> Settings:
    """Settings, or a one-line message naming the bad variable and exit code 2."""
    try:
        return load_settings()
    except SettingsError as exc:
        print_error(one_line(str(exc)))
        raise typer.Exit(USAGE_EXIT) from None


def run_with_gateway(work: Callable[[Gateway], Awaitable[T]]) -> T:
    """Create the configured gateway, run `work`, and turn model faults into clean exits."""
    settings = settings_or_exit()

    async def main() -> T:
        gateway = await create_gateway(settings)
        try:
            return await work(gateway)
        finally:
            await gateway.close()

    return asyncio.run(main())


async def check_model(gateway: Gateway, model: str | None) -> None:
    """Refuse a model the backend does not serve, before any answer (a backend may otherwise fall back)."""
    if not model:
        return
    names = [m.name for m in await gateway.list_models()]
    if model in names or f"{model}:latest" in names:
        return
    raise ModelNotFound(
        f"unknown model {model!r} on the {gateway.backend_name} backend; available: {', '.join(names) or 'none'}",
        backend=gateway.backend_name, model=model,
    )
