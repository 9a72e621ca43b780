"""From per-item verdicts to the arena's table: accuracy with its Wilson interval, pass@k, cost, McNemar.

Summaries are always recomputed from the items, so a partial result (while running, or
after a resume) and a finished one are computed the same way.
"""

from __future__ import annotations

from itertools import combinations

from tools.evals.stats import accuracy_per_1k_tokens, discordant, mcnemar_exact, mean_pass_at_k, wilson_interval
from workflows.evals.schema import PASS_AT_K, ColumnSpec, ColumnSummary, Interval, ItemResult, McNemar


def summarize_column(column: ColumnSpec, items: list[ItemResult]) -> ColumnSummary:
    """One column over the items it answered."""
    outputs = [item.outputs[column.id] for item in items if column.id in item.outputs]
    answered = len(outputs)
    correct = sum(o.correct for o in outputs)
    accuracy = correct / answered if answered else 0.0
    low, high = wilson_interval(correct, answered)
    counts = [(o.n, o.c) for o in outputs if o.n is not None and o.c is not None]
    pass_at: dict[str, float] = {}
    if counts and len(counts) == answered:
        for k in PASS_AT_K:
            value = mean_pass_at_k(counts, k)
            if value is not None:
                pass_at[f"pass@{k}"] = value
    prompt = sum(o.prompt_tokens for o in outputs)
    completion = sum(o.completion_tokens for o in outputs)
    return ColumnSummary(
        id=column.id,
        kind=column.kind,
        strategy=column.strategy,
        model=column.model,
        agent=column.agent,
        items=answered,
        correct=correct,
        accuracy=accuracy,
        wilson95=Interval(low=low, high=high),
        pass_at_k=pass_at,
        errors=sum(o.error is not None for o in outputs),
        prompt_tokens=prompt,
        evaluated_prompt_tokens=sum(o.evaluated_prompt_tokens for o in outputs),
        completion_tokens=completion,
        calls_per_item=sum(o.calls for o in outputs) / answered if answered else 0.0,
        seconds_per_item=sum(o.seconds for o in outputs) / answered if answered else 0.0,
        accuracy_per_1k_tokens=accuracy_per_1k_tokens(accuracy, prompt + completion, answered),
    )


def pairwise_mcnemar(columns: list[ColumnSpec], items: list[ItemResult]) -> list[McNemar]:
    """The exact McNemar test for every pair of columns, on the items both answered."""
    tests: list[McNemar] = []
    for a, b in combinations(columns, 2):
        both = [i for i in items if a.id in i.outputs and b.id in i.outputs]
        a_only, b_only = discordant([i.outputs[a.id].correct for i in both], [i.outputs[b.id].correct for i in both])
        tests.append(McNemar(a=a.id, b=b.id, a_only=a_only, b_only=b_only, p_value=mcnemar_exact(a_only, b_only)))
    return tests


__all__ = ["pairwise_mcnemar", "summarize_column"]
