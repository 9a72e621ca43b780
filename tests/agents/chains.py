"""Checks on exception chains: no loop through __cause__/__context__, and rich can print them."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from rich.traceback import Traceback


def has_loop(error: BaseException) -> bool:
    """True when following __cause__/__context__ from `error` ever comes back to an exception on the path."""
    on_path: set[int] = set()

    def visit(current: BaseException) -> bool:
        if id(current) in on_path:
            return True
        on_path.add(id(current))
        linked = [e for e in (current.__cause__, current.__context__) if e is not None]
        if any(visit(e) for e in linked):
            return True
        on_path.discard(id(current))
        return False

    return visit(error)


def chain_types(error: BaseException) -> list[str]:
    """Type names along every link, each exception once (a visited set, as any safe printer needs)."""
    seen: set[int] = set()
    names: list[str] = []
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        names.append(type(current).__name__)
        stack += [e for e in (current.__context__, current.__cause__) if e is not None]
    return names


def rich_render(error: BaseException) -> str:
    """What typer's pretty printer would show: rich follows the chain with no visited set."""
    console = Console(file=StringIO(), width=120, color_system=None)
    console.print(Traceback.from_exception(type(error), error, error.__traceback__))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output
