"""An evaluation as a file: the whole JSON document, or CSV with one row per item and column.

The CSV is for spreadsheets and pandas: every verdict with what it cost, the seed and the
model, so a table can be rebuilt from it without the JSON.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from workflows.evals.schema import EvalResult

CSV_FIELDS = (
    "eval_id", "suite", "item_index", "item_id", "column", "kind", "strategy", "model", "agent", "seed",
    "correct", "output", "expected", "n", "c", "prompt_tokens", "evaluated_prompt_tokens", "completion_tokens",
    "calls", "seconds", "error", "detail", "input",
)


def export_json(meta: dict[str, Any], result: dict[str, Any]) -> str:
    """{"eval": the row as the API shows it, "result": the EvalResult with every item}."""
    return json.dumps({"eval": meta, "result": result}, ensure_ascii=False, indent=2)


def csv_rows(eval_id: str, result: EvalResult) -> list[dict[str, Any]]:
    """One row per item x column, in suite then column order."""
    columns = {c.id: c for c in result.columns}
    rows = []
    for item in result.items:
        for column_id, out in item.outputs.items():
            column = columns.get(column_id)
            what = {} if column is None else {
                "kind": column.kind, "strategy": column.strategy, "model": column.model, "agent": column.agent,
            }
            rows.append({
                "eval_id": eval_id, "suite": result.spec.suite, "item_index": item.index, "item_id": item.id,
                "column": column_id, **what,
                "seed": result.spec.seed, "correct": int(out.correct), "output": out.output, "expected": item.expected,
                "n": out.n, "c": out.c, "prompt_tokens": out.prompt_tokens,
                "evaluated_prompt_tokens": out.evaluated_prompt_tokens, "completion_tokens": out.completion_tokens,
                "calls": out.calls, "seconds": out.seconds, "error": out.error,
                "detail": json.dumps(out.detail, ensure_ascii=False, sort_keys=True) if out.detail else "",
                "input": item.input,
            })
    return rows


def export_csv(eval_id: str, result: EvalResult) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in csv_rows(eval_id, result):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


__all__ = ["CSV_FIELDS", "csv_rows", "export_csv", "export_json"]
