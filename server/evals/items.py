"""Per-item results a page at a time, optionally only the items a column got wrong."""

from __future__ import annotations

from typing import Any

from workflows.evals.schema import EvalResult, ItemResult


class UnknownColumn(ValueError):
    """A column filter naming no column of the eval."""


def is_wrong(item: ItemResult, column: str | None) -> bool:
    """Wrong in `column`, or (no column given) in at least one column."""
    if column is not None:
        output = item.outputs.get(column)
        return output is not None and not output.correct
    return any(not o.correct for o in item.outputs.values())


def items_page(
    result: EvalResult, *, wrong: bool = False, column: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """(matching items, this page of them as JSON), in suite order."""
    ids = [c.id for c in result.columns]
    if column is not None and column not in ids:
        raise UnknownColumn(f"no column {column!r}; this eval has {', '.join(ids)}")
    chosen = [i for i in result.items if is_wrong(i, column)] if wrong else list(result.items)
    if column is not None and not wrong:
        chosen = [i for i in chosen if column in i.outputs]
    return len(chosen), [i.model_dump(mode="json") for i in chosen[offset : offset + limit]]


__all__ = ["UnknownColumn", "is_wrong", "items_page"]
