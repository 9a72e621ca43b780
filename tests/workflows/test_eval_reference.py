"""Reference mode scores 100%: the harness, the sandbox and the verifiers are right; a broken solution set is not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agents import sandbox
from agents.evals.suites import humaneval_items
from tools.evals.stats import wilson_interval

from .helpers import run_workflow, scripted

needs_bwrap = pytest.mark.skipif(sandbox.find_bwrap() is None, reason="bubblewrap (bwrap) is not installed")


async def evaluate(tmp_path: Path, graph_input: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    values, events, _ = await run_workflow("eval", graph_input, scripted([]), tmp_path / "c.db")
    return values["result"], events


async def test_game24_reference_solves_puzzles_900_to_999(tmp_path: Path) -> None:
    result, events = await evaluate(tmp_path, {"suite": "game24", "reference": True})
    (column,) = result["columns"]
    assert [i["index"] for i in result["items"]] == list(range(900, 1000))
    assert (column["id"], column["correct"], column["items"], column["accuracy"]) == ("reference", 100, 100, 1.0)
    assert (column["wilson95"]["low"], column["wilson95"]["high"]) == wilson_interval(100, 100)
    assert column["calls_per_item"] == 0 and column["prompt_tokens"] == 0  # no model was asked
    items = [e["data"] for e in events if e["kind"] == "eval.item"]
    assert [e["done"] for e in items] == list(range(1, 101)) and items[-1]["accuracy"] == {"reference": 1.0}


async def test_gsm8k_reference_reads_the_number_out_of_each_worked_solution(tmp_path: Path) -> None:
    result, _ = await evaluate(tmp_path, {"suite": "gsm8k", "reference": True, "limit": 200})
    (column,) = result["columns"]
    assert (column["correct"], column["items"]) == (200, 200)
    first = result["items"][0]
    assert first["expected"] == "18" and first["outputs"]["reference"]["output"] == "18"


@needs_bwrap
async def test_humaneval_reference_passes_all_164_problems_in_the_sandbox(tmp_path: Path) -> None:
    result, _ = await evaluate(tmp_path, {"suite": "humaneval", "reference": True, "workers": 2})
    (column,) = result["columns"]
    outputs = {i["id"]: i["outputs"]["reference"] for i in result["items"]}
    failed = [(item_id, o["detail"]) for item_id, o in outputs.items() if not o["correct"]]
    assert failed == [] and column["items"] == 164
    assert column["pass_at_k"] == {"pass@1": 1.0}  # n = 1: pass@10 is undefined, so absent
    assert all(i["outputs"]["reference"]["n"] == 1 and i["outputs"]["reference"]["c"] == 1 for i in result["items"])


@needs_bwrap
async def test_a_deliberately_wrong_solution_set_scores_zero_where_it_is_broken(tmp_path: Path) -> None:
    problems = humaneval_items()[:8]
    broken = {1, 4, 6}
    lines = []
    for k, problem in enumerate(problems):
        solution = "    raise NotImplementedError\n" if k in broken else problem.expected
        if k == 4:
            solution = "    return None\n"  # wrong without crashing
        row = {"prompt": problem.input, "test": problem.data["test"], "entry_point": problem.data["entry_point"],
               "solution": solution, "id": problem.id}
        lines.append(json.dumps(row))
    result, _ = await evaluate(tmp_path, {"suite": "jsonl", "suite_text": "\n".join(lines), "reference": True})
    verdicts = {i["index"]: i["outputs"]["reference"]["correct"] for i in result["items"]}
    assert {k for k, right in verdicts.items() if not right} == broken
    assert result["columns"][0]["correct"] == len(problems) - len(broken)
    assert "NotImplementedError" in result["items"][1]["outputs"]["reference"]["detail"]["failures"][0]


async def test_a_wrong_answer_key_scores_zero_on_the_items_it_breaks(tmp_path: Path) -> None:
    """A user suite whose answers are right for some items: the exact-match scorer takes no shortcuts."""
    rows = [{"input": "2 + 2?", "answer": "4"}, {"input": "Capital of France?", "answer": "Paris"}]
    text = "\n".join(json.dumps(r) for r in rows)
    rules = [{"pattern": r"2 \+ 2\?", "response": "Answer: 5"}, {"pattern": "France", "response": "Answer: paris."}]
    values, _, _ = await run_workflow(
        "eval", {"suite": "jsonl", "suite_text": text, "strategies": ["direct"], "reference": True},
        scripted(rules), tmp_path / "c.db",
    )
    items = values["result"]["items"]
    assert [i["outputs"]["direct@scripted"]["correct"] for i in items] == [False, True]
    assert [i["outputs"]["reference"]["correct"] for i in items] == [True, True]


async def test_quiz_reference_answers_are_all_graded_correct(tmp_path: Path) -> None:
    result, _ = await evaluate(tmp_path, {"suite": "quiz", "reference": True})
    wrong = [i["id"] for i in result["items"] if not i["outputs"]["reference"]["correct"]]
    assert wrong == []


async def test_quiz_reference_is_graded_by_the_grounded_grader(tmp_path: Path) -> None:
    result, _ = await evaluate(tmp_path, {"suite": "quiz", "reference": True, "limit": 5})
    first = result["items"][0]["outputs"]["reference"]
    assert first["detail"]["method"] in ("exact", "set", "checks") and "score" in first["detail"]
    assert result["columns"][0]["items"] == 5
