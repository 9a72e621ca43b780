"""The packaged suites load completely, with the ids, references and defaults the arena relies on."""

from __future__ import annotations

import json

import pytest

from agents.evals.suites import SuiteUnavailable, game24_rows, gsm8k_rows, load_suite, select
from tools.concepts import list_concepts
from tools.evals.gsm8k import final_number
from tools.evals.jsonl import SuiteErrors


def test_humaneval_is_the_packages_164_problems() -> None:
    items = load_suite("humaneval")
    assert len(items) == 164 and items[0].id == "HumanEval/0" and items[-1].id == "HumanEval/163"
    assert all(i.kind == "code" and i.expected and i.data["test"] and i.data["entry_point"] for i in items)


def test_gsm8k_is_the_whole_test_split_and_every_solution_states_its_number() -> None:
    items = load_suite("gsm8k")
    assert len(items) == len(gsm8k_rows()) == 1319
    assert items[0].data["number"] == "18"  # Janet's ducks
    # the reference column answers with the solution text; its final number must be the '#### n' one
    assert all(final_number(i.expected or "") == i.data["number"] for i in items)


def test_game24_starts_at_the_papers_test_set_and_defaults_to_its_100_puzzles() -> None:
    items = load_suite("game24")
    assert items[0].index == 900 and items[0].input == game24_rows()[900]
    chosen = select(items, "game24")
    assert [i.index for i in chosen] == list(range(900, 1000))
    assert [i.index for i in select(items, "game24", offset=98)] == [998, 999]
    assert [i.index for i in select(items, "game24", offset=99, limit=3)] == [999, 1000, 1001]


def test_quiz_covers_every_concepts_quiz() -> None:
    items = load_suite("quiz")
    assert len(items) == sum(len(c.quiz) for c in list_concepts())
    assert {i.data["concept"] for i in items} == {c.name for c in list_concepts() if c.quiz}
    assert len({i.id for i in items}) == len(items)


def test_offset_and_limit() -> None:
    items = load_suite("gsm8k")
    assert [i.index for i in select(items, "gsm8k", offset=5, limit=3)] == [5, 6, 7]
    assert len(select(items, "gsm8k", offset=1300)) == 19


def test_user_jsonl_and_its_errors() -> None:
    text = json.dumps({"input": "2+2?", "answer": 4}) + "\n" + json.dumps({"input": "x", "answer": "y", "id": "b"})
    items = load_suite("jsonl", text)
    assert [(i.id, i.kind, i.expected) for i in items] == [("jsonl/1", "qa", "4"), ("jsonl/b", "qa", "y")]
    with pytest.raises(SuiteErrors, match=r"mine\.jsonl: line 3: not valid JSON"):
        load_suite("jsonl", text + "\n{oops", source="mine.jsonl")


def test_unknown_suite_names_the_choices() -> None:
    with pytest.raises(SuiteUnavailable, match="unknown suite 'mmlu'; choose one of humaneval, gsm8k"):
        load_suite("mmlu")
