"""A user's own suite as JSONL: one item per line, every bad line reported at once with its line number.

Two shapes, one per suite (not mixed):
- a question: {"input": "...", "answer": "..."}; scored by exact match on the normalised
  answer (numbers as numbers: '1,000' equals '1000.0');
- code: {"prompt": "...", "test": "..."}; the program prompt + completion + test runs in the
  sandbox and passes when it exits 0. Optional: "entry_point" (then `check(entry_point)` is
  appended, as in HumanEval) and "solution" (the completion `--reference` answers with).
Any line may carry an "id". Blank lines are skipped but still counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

QA_KEYS = frozenset({"input", "answer"})
CODE_KEYS = frozenset({"prompt", "test"})
OPTIONAL = {"qa": frozenset({"id"}), "code": frozenset({"id", "entry_point", "solution"})}
MAX_ERRORS_SHOWN = 20


@dataclass(frozen=True)
class SuiteLine:
    """One valid item of a user suite."""

    line: int
    kind: Literal["qa", "code"]
    id: str
    input: str
    answer: str | None = None
    test: str | None = None
    entry_point: str | None = None
    solution: str | None = None


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class SuiteErrors(ValueError):
    """Every problem in a user suite, each naming its line."""

    def __init__(self, errors: list[LineError], source: str = "suite") -> None:
        self.errors = list(errors)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        shown = "; ".join(str(e) for e in self.errors[:MAX_ERRORS_SHOWN])
        more = len(self.errors) - MAX_ERRORS_SHOWN
        return f"{self.source}: {shown}" + (f"; and {more} more" if more > 0 else "")


def _text(value: Any, key: str, *, numbers: bool = False) -> str:
    if isinstance(value, str) and value.strip():
        return value
    if numbers and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    wanted = "a non-empty string or a number" if numbers else "a non-empty string"
    raise ValueError(f"{key!r} must be {wanted}, got {json.dumps(value)[:40]}")


def _kind(keys: set[str]) -> Literal["qa", "code"]:
    has_qa, has_code = bool(keys & QA_KEYS), bool(keys & CODE_KEYS)
    if has_qa and has_code:
        raise ValueError('mixes a question {"input", "answer"} with code {"prompt", "test"}')
    if has_code:
        missing = CODE_KEYS - keys
        if missing:
            raise ValueError(f"a code item needs {', '.join(repr(k) for k in sorted(missing))}")
        return "code"
    missing = QA_KEYS - keys
    if has_qa and missing:
        raise ValueError(f"a question item needs {', '.join(repr(k) for k in sorted(missing))}")
    if not has_qa:
        raise ValueError('expected {"input", "answer"} or {"prompt", "test"}')
    return "qa"


def _item(number: int, raw: str) -> SuiteLine:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {type(value).__name__}")
    keys = set(value)
    kind = _kind(keys)
    unknown = keys - (QA_KEYS if kind == "qa" else CODE_KEYS) - OPTIONAL[kind]
    if unknown:
        raise ValueError(f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(repr(k) for k in sorted(unknown))}")
    item_id = _text(value["id"], "id", numbers=True) if "id" in value else str(number)
    if kind == "qa":
        answer = _text(value["answer"], "answer", numbers=True)
        return SuiteLine(number, "qa", item_id, _text(value["input"], "input"), answer=answer)
    entry = _text(value["entry_point"], "entry_point") if "entry_point" in value else None
    if entry is not None and not entry.isidentifier():
        raise ValueError(f"'entry_point' must be a Python name, got {entry!r}")
    solution = _text(value["solution"], "solution") if "solution" in value else None
    prompt, test = _text(value["prompt"], "prompt"), _text(value["test"], "test")
    return SuiteLine(number, "code", item_id, prompt, test=test, entry_point=entry, solution=solution)


def parse_suite(text: str, source: str = "suite") -> list[SuiteLine]:
    """The items of a JSONL suite; raises SuiteErrors listing every bad line (1-based numbers)."""
    items: list[SuiteLine] = []
    errors: list[LineError] = []
    seen_ids: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            item = _item(number, raw)
        except ValueError as exc:
            errors.append(LineError(number, str(exc)))
            continue
        if items and item.kind != items[0].kind:
            first = "a question" if items[0].kind == "qa" else "a code"
            errors.append(LineError(number, f"is a {item.kind} item but line {items[0].line} made this {first} suite"))
            continue
        if item.id in seen_ids:
            errors.append(LineError(number, f"id {item.id!r} repeats line {seen_ids[item.id]}"))
            continue
        seen_ids[item.id] = number
        items.append(item)
    if not items and not errors:
        errors.append(LineError(0, "the suite has no items"))
    if errors:
        raise SuiteErrors(errors, source)
    return items


__all__ = ["LineError", "SuiteErrors", "SuiteLine", "parse_suite"]
