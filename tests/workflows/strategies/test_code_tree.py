"""Code by tree search on the scripted model: the coder proposes, the sandbox tests, the evaluator values."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from agents.evals.code import run_program
from agents.evals.suites import humaneval_rows
from agents.llm import Gateway
from agents.llm.backends.scripted import ScriptedBackend
from tools.evals.code import build_program
from workflows.strategies.code_tree import CodeTreeConfig, init_code_tree, solve_code

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")

CODER, EVALUATOR = "Python developer", "strict evaluator"
TASK = "Write a function add(a, b) that returns the sum of a and b."
SUBTRACTS = "Here:\n```python\ndef add(a, b):\n    return a - b\n\nprint(add(2, 3))\nassert add(1, 1) == 7\n```"
ADDS = "```python\ndef add(a, b):\n    return a + b\n```"


def gateway(rules: list[dict[str, Any]]) -> tuple[Gateway, ScriptedBackend]:
    backend = ScriptedBackend(rules)
    return Gateway(backend), backend


def coder(first: str, refined: str) -> list[dict[str, Any]]:
    return [
        {"pattern": f"{CODER}.*Your previous program", "response": refined},
        {"pattern": CODER, "response": first},
    ]


def evaluator(tests: str, score: int = 2) -> list[dict[str, Any]]:
    return [
        {"pattern": f"{EVALUATOR}.*test cases for the Python function", "response": tests},
        {"pattern": f"{EVALUATOR}.*Review this Python solution", "response": f"SCORE: {score}\nREASONS:\n- wrong sign"},
    ]


async def test_a_failing_candidate_is_refined_until_the_tests_pass() -> None:
    written = "assert add(1, 1) == 2\nassert add(2, 3) == 6\nassert sub(1, 1) == 0\nassert add(-1, 1) == 0"
    gw, backend = gateway(coder(SUBTRACTS, ADDS) + evaluator(written))
    events: list[tuple[str, dict[str, Any]]] = []
    config = CodeTreeConfig(k=1, breadth=1, depth=3, evaluator_tests=3)
    result = await solve_code(
        TASK, ["assert add(2, 3) == 5"], gw, config, complete_prompt=False, emit=lambda k, d: events.append((k, d))
    )
    assert result.passed and result.stop_reason == "tests_pass" and result.best_id == "2"
    assert result.program == "def add(a, b):\n    return a + b\n"  # the refinement is the answer
    first, refined = result.nodes
    assert (first.kind, first.persona, first.framework) == ("propose", "coder", "autogen")
    assert (refined.kind, refined.persona, refined.framework, refined.parent_id) == ("refine", "coder", "autogen", "1")
    # the first candidate's own check (assert add(1, 1) == 7) was removed: only the search's tests judge it
    assert "print(" not in (first.program or "") and "== 7" not in (first.program or "")
    assert (first.passed, first.total, refined.passed, refined.total) == (0, 3, 3, 3)
    assert (first.review_score, first.valued_by, first.value) == (2.0, "evaluator@autogen", 0.1)
    assert refined.review_score is None and refined.value == 10.0  # passing every test needs no review
    assert [t["source"] for t in result.tests] == [
        "assert add(2, 3) == 5",
        "assert add(1, 1) == 2",
        "assert add(-1, 1) == 0",
    ]
    rejected = result.trace["rejected_tests"]
    assert rejected == [
        {"source": "assert add(2, 3) == 6", "reason": "contradicts the test assert add(2, 3) == 5"},
        {"source": "assert sub(1, 1) == 0", "reason": "does not call add"},
    ]
    refine_prompt = next(p for p in backend.prompts if "Your previous program" in p)
    assert "- assert add(2, 3) == 5  (failed: got -1)" in refine_prompt  # the coder saw its failures
    kinds = [k for k, _ in events]
    level = ["code_tree.node", "code_tree.test", "code_tree.value", "code_tree.select"]
    assert kinds == ["code_tree.tests", *level, *level, "code_tree.finish"]
    assert [d["persona"] for k, d in events if k == "code_tree.node"] == ["coder", "coder"]
    assert result.usage.calls == 4  # tests, proposal, review, refinement


async def test_depth_runs_out_and_the_best_candidate_is_kept() -> None:
    gw, _ = gateway(coder(SUBTRACTS, "```python\ndef add(a, b):\n    return a * b\n```") + evaluator("nothing", 4))
    config = CodeTreeConfig(k=1, breadth=1, depth=2, evaluator_tests=1)
    tests = ["assert add(2, 2) == 4", "assert add(2, 3) == 5"]
    result = await solve_code(TASK, tests, gw, config, complete_prompt=False)
    assert not result.passed and result.stop_reason == "depth"
    assert result.best_id == "2" and result.tests_passed == 1 and result.tests_total == 2  # a * b gets add(2, 2)


async def test_a_reply_without_code_is_a_candidate_with_a_problem_never_run() -> None:
    echo = "If the output shows it works, say DONE."
    gw, backend = gateway([{"pattern": CODER, "responses": [echo, ADDS]}, *evaluator("")])
    config = CodeTreeConfig(k=2, breadth=2, depth=1, evaluator_tests=0, max_concurrency=1)
    result = await solve_code(TASK, ["assert add(2, 3) == 5"], gw, config, complete_prompt=False)
    echoed, good = result.nodes
    assert echoed.problem == "the reply only echoed its prompt" and echoed.program is None
    assert [o["status"] for o in echoed.outcomes] == ["not run"] and echoed.kept is False
    assert good.all_passed and result.program == "def add(a, b):\n    return a + b\n"
    assert sum("bwrap" in p for p in backend.prompts) == 0


async def test_the_same_program_twice_runs_once() -> None:
    gw, _ = gateway([{"pattern": CODER, "response": SUBTRACTS}, *evaluator("", 3)])
    config = CodeTreeConfig(k=2, breadth=2, depth=1, evaluator_tests=0)
    result = await solve_code(TASK, ["assert add(2, 3) == 5"], gw, config, complete_prompt=False)
    first, second = result.nodes
    assert second.duplicate_of == "1" and second.outcomes == first.outcomes and second.kept is False
    assert second.pruned_reason == "duplicate of 1" and result.usage.calls == 3  # two proposals, one review


async def test_a_humaneval_item_is_solved_from_its_docstring_examples_and_passes_its_hidden_tests() -> None:
    row = next(r for r in humaneval_rows() if r["task_id"] == "HumanEval/53")
    multiplies = "    return x * y\n"  # a base model continues the prompt's body, unfenced
    gw, _ = gateway(coder(multiplies, "```python\ndef add(x: int, y: int):\n    return x + y\n```") + evaluator(""))
    result = await solve_code(row["prompt"], None, gw, CodeTreeConfig(k=1, breadth=1, evaluator_tests=0))
    assert [t["source"] for t in result.tests] == ["assert add(2, 3) == 5", "assert add(5, 7) == 12"]
    assert result.passed and result.nodes[0].program == row["prompt"] + multiplies
    assert result.completion is not None
    hidden = build_program(row["prompt"], result.completion, row["test"], row["entry_point"])
    assert (await run_program(hidden)).passed  # the arena scores the completion with the dataset's own tests
    wrong = build_program(row["prompt"], multiplies, row["test"], row["entry_point"])
    assert not (await run_program(wrong)).passed


def test_a_tree_needs_something_to_test() -> None:
    with pytest.raises(ValueError, match="the tree search needs something to test"):
        init_code_tree("Write a haiku generator.")
    with pytest.raises(ValueError, match="a test must be an assert that calls the function"):
        init_code_tree(TASK, tests=["add(1, 2) is 3"])
    assert init_code_tree("Write this function:\ndef reverse(s: str) -> str:").entry_point == "reverse"


async def test_a_body_the_model_wrote_without_its_first_indent_completes_the_function() -> None:
    row = next(r for r in humaneval_rows() if r["task_id"] == "HumanEval/53")
    gw, _ = gateway([{"pattern": CODER, "response": "result = x + y\n    return result\n\nQuestion: what next?"}])
    result = await solve_code(row["prompt"], None, gw, CodeTreeConfig(k=1, evaluator_tests=0, review=False))
    assert result.passed and result.completion == "    result = x + y\n    return result\n"


async def test_when_nothing_ran_the_next_level_proposes_afresh() -> None:
    written = "assert add(numbers, 1) == 2\nassert add(1, 2) == 3"
    gw, _ = gateway([{"pattern": CODER, "responses": ["I would add them.", ADDS]}, *evaluator(written)])
    config = CodeTreeConfig(k=1, breadth=1, depth=2, evaluator_tests=2)
    result = await solve_code(TASK, ["assert add(2, 3) == 5"], gw, config, complete_prompt=False)
    assert [(n.kind, n.parent_id, n.problem) for n in result.nodes] == [
        ("propose", "0", "no Python code in the reply"),
        ("propose", "0", None),
    ]
    assert result.passed and result.best_id == "2"
    assert result.trace["rejected_tests"] == [
        {"source": "assert add(numbers, 1) == 2", "reason": "uses names it does not define: numbers"}
    ]


async def test_the_coders_own_one_shot_example_echoed_back_is_not_a_candidate() -> None:
    echoed = "```python\ndef add(a, b):\n    return a + b\n\nprint(add(2, 3))\n```"  # the coder persona's example
    row = next(r for r in humaneval_rows() if r["task_id"] == "HumanEval/0")
    gw, _ = gateway([{"pattern": CODER, "response": echoed}])
    config = CodeTreeConfig(k=1, depth=1, evaluator_tests=0, review=False)
    result = await solve_code(row["prompt"], None, gw, config)
    assert result.nodes[0].problem == "the code is the persona's own example, echoed"
    assert result.program is None and result.stop_reason == "no_candidates"
