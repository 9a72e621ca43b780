"""Two evaluations of one suite, compared column by column on the items both answered.

Accuracies of two runs over different items say little; the comparison pairs the items
(same id and same input) and reports, per column pair, both accuracies on those shared
items with their Wilson intervals, the difference, and the exact McNemar test.
"""

from __future__ import annotations

from pydantic import BaseModel

from tools.evals.stats import discordant, mcnemar_exact, wilson_interval
from workflows.evals.schema import EvalResult, Interval, ItemResult, McNemar


class CompareError(ValueError):
    """Two evaluations that cannot be compared (another suite, an unknown column, nothing in common)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


class ColumnComparison(BaseModel):
    """Column `a` of the first eval against column `b` of the second, on their shared items."""

    a: str
    b: str
    items: int
    a_correct: int
    b_correct: int
    a_accuracy: float
    b_accuracy: float
    a_wilson95: Interval
    b_wilson95: Interval
    delta: float
    mcnemar: McNemar


class Comparison(BaseModel):
    a: str
    b: str
    suite: str
    a_items: int
    b_items: int
    shared_items: int
    columns: list[ColumnComparison]


def column_pairs(a: EvalResult, b: EvalResult, column_a: str | None, column_b: str | None) -> list[tuple[str, str]]:
    """The chosen pair, or every column id the two evals share (in the first eval's order)."""
    a_ids, b_ids = [c.id for c in a.columns], [c.id for c in b.columns]
    if (column_a is None) != (column_b is None):
        missing = "column_a" if column_a is None else "column_b"
        raise CompareError(missing, "give both column_a and column_b, or neither")
    if column_a is not None and column_b is not None:
        if column_a not in a_ids:
            raise CompareError("column_a", f"the first eval has no column {column_a!r}; it has {', '.join(a_ids)}")
        if column_b not in b_ids:
            raise CompareError("column_b", f"the second eval has no column {column_b!r}; it has {', '.join(b_ids)}")
        return [(column_a, column_b)]
    shared = [c for c in a_ids if c in b_ids]
    if not shared:
        raise CompareError(
            "column_a",
            f"no column in common ({', '.join(a_ids)} vs {', '.join(b_ids)}); choose a pair with column_a and column_b",
        )
    return [(c, c) for c in shared]


def shared_items(a: EvalResult, b: EvalResult) -> list[tuple[ItemResult, ItemResult]]:
    """Items present in both, matched by id and input (a user's two JSONL files may reuse ids)."""
    theirs = {(i.id, i.input): i for i in b.items}
    return [(mine, theirs[(mine.id, mine.input)]) for mine in a.items if (mine.id, mine.input) in theirs]


def compare_column(pairs: list[tuple[ItemResult, ItemResult]], column_a: str, column_b: str) -> ColumnComparison:
    both = [(x.outputs[column_a], y.outputs[column_b]) for x, y in pairs
            if column_a in x.outputs and column_b in y.outputs]
    a_right = [o.correct for o, _ in both]
    b_right = [o.correct for _, o in both]
    n = len(both)
    a_correct, b_correct = sum(a_right), sum(b_right)
    a_only, b_only = discordant(a_right, b_right)
    a_low, a_high = wilson_interval(a_correct, n)
    b_low, b_high = wilson_interval(b_correct, n)
    a_acc, b_acc = (a_correct / n if n else 0.0), (b_correct / n if n else 0.0)
    return ColumnComparison(
        a=column_a, b=column_b, items=n, a_correct=a_correct, b_correct=b_correct, a_accuracy=a_acc,
        b_accuracy=b_acc, a_wilson95=Interval(low=a_low, high=a_high), b_wilson95=Interval(low=b_low, high=b_high),
        delta=b_acc - a_acc,
        mcnemar=McNemar(a=column_a, b=column_b, a_only=a_only, b_only=b_only, p_value=mcnemar_exact(a_only, b_only)),
    )


def compare(
    a_id: str, a: EvalResult, b_id: str, b: EvalResult, column_a: str | None = None, column_b: str | None = None
) -> Comparison:
    """Per column pair: accuracies on the shared items, b - a, and McNemar; CompareError when meaningless."""
    if a.spec.suite != b.spec.suite:
        raise CompareError("b", f"the evals score different suites ({a.spec.suite} and {b.spec.suite})")
    pairs = column_pairs(a, b, column_a, column_b)
    items = shared_items(a, b)
    if not items:
        raise CompareError("b", f"the two {a.spec.suite} evals have no item in common")
    return Comparison(
        a=a_id, b=b_id, suite=a.spec.suite, a_items=len(a.items), b_items=len(b.items), shared_items=len(items),
        columns=[compare_column(items, x, y) for x, y in pairs],
    )


__all__ = ["ColumnComparison", "CompareError", "Comparison", "compare", "shared_items"]
