"""A user's JSONL suite: valid lines become items, and every bad line is named with what is wrong."""

from __future__ import annotations

import json

import pytest

from tools.evals.jsonl import SuiteErrors, parse_suite


def lines(*rows: object) -> str:
    return "\n".join(row if isinstance(row, str) else json.dumps(row) for row in rows)


def test_question_suite_with_ids_numbers_and_blank_lines() -> None:
    items = parse_suite(
        lines({"input": "2+2?", "answer": 4}, "", {"input": "Capital of France?", "answer": "Paris", "id": "fr"})
    )
    assert [(i.line, i.kind, i.id, i.answer) for i in items] == [(1, "qa", "1", "4"), (3, "qa", "fr", "Paris")]


def test_code_suite_with_entry_point_and_solution() -> None:
    row = {
        "prompt": "def f():\n",
        "test": "def check(c):\n    assert c() == 1\n",
        "entry_point": "f",
        "solution": "    return 1\n",
    }
    (item,) = parse_suite(lines(row))
    assert item.kind == "code" and item.entry_point == "f" and item.solution == "    return 1\n"


def test_every_bad_line_is_reported_with_its_number() -> None:
    text = lines(
        {"input": "ok", "answer": "yes"},
        "not json",
        "[1, 2]",
        {"prompt": "p", "test": "t"},
        {"input": "no answer"},
        {"input": "x", "answer": "y", "extra": 1},
        {"input": "", "answer": "y"},
        {"input": "x", "answer": True},
        {"input": "x", "answer": "y", "id": "1"},
        {"input": "x", "prompt": "y"},
        {"question": "x"},
    )
    with pytest.raises(SuiteErrors) as caught:
        parse_suite(text, "mine.jsonl")
    errors = {e.line: e.message for e in caught.value.errors}
    assert sorted(errors) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "not valid JSON" in errors[2]
    assert "expected a JSON object, got list" in errors[3]
    assert "code item" in errors[4] and "line 1" in errors[4]
    assert "needs 'answer'" in errors[5]
    assert "unknown key 'extra'" in errors[6]
    assert "'input' must be a non-empty string" in errors[7]
    assert "'answer' must be a non-empty string or a number" in errors[8]
    assert "id '1' repeats line 1" in errors[9]
    assert "mixes" in errors[10]
    assert 'expected {"input", "answer"} or {"prompt", "test"}' in errors[11]
    message = str(caught.value)
    assert message.startswith("mine.jsonl: line 2: not valid JSON") and "line 11" in message


def test_a_bad_entry_point_and_an_empty_suite() -> None:
    with pytest.raises(SuiteErrors, match="line 1: 'entry_point' must be a Python name"):
        parse_suite(lines({"prompt": "p", "test": "t", "entry_point": "not a name"}))
    with pytest.raises(SuiteErrors, match="the suite has no items"):
        parse_suite("\n\n")
