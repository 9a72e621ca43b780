"""The `code` workflow's tree strategy: a checkpointed search whose coder runs on CrewAI and evaluator on AutoGen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workflows.inputs import InvalidInput
from workflows.registry import get_workflow

from .helpers import run_workflow, scripted

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")

CODER, EVALUATOR = "Python developer", "strict evaluator"
RULES = [
    {"pattern": f"{CODER}.*Your previous program", "response": "```python\ndef square(n):\n    return n * n\n```"},
    {"pattern": CODER, "response": "```python\ndef square(n):\n    return n + n\n```"},
    {"pattern": f"{EVALUATOR}.*test cases", "response": "assert square(3) == 9\nassert square(0) == 0"},
    {"pattern": f"{EVALUATOR}.*Review", "response": "SCORE: 3\nREASONS:\n- doubles instead of squaring"},
]
TREE = {
    "task": "Write square(n) that returns n squared.",
    "strategy": "tree",
    "tests": ["assert square(2) == 4", "assert square(-1) == 1"],
    "coder": "coder@crewai",
    "evaluator": "evaluator@autogen",
    "config": {"k": 1, "breadth": 1, "depth": 3, "evaluator_tests": 2},
}


async def test_a_mixed_framework_tree_solves_the_task_step_by_step(tmp_path: Path) -> None:
    values, events, snapshot = await run_workflow("code", TREE, scripted(RULES), tmp_path / "c.db")
    assert snapshot.next == ()
    assert values["final_code"] == values["answer"] == "def square(n):\n    return n * n\n"
    assert values["verdict"] == "passed" and values["stop_reason"] == "tests_pass" and values["score"] == 10.0
    assert values["test_output"].splitlines()[0] == "4 of 4 tests passed"
    nodes = [n for n in values["tree"]["nodes"].values() if n["kind"] != "root"]
    assert [(n["kind"], n["persona"], n["framework"], n["valued_by"], n["passed"]) for n in nodes] == [
        ("propose", "coder", "crewai", "evaluator@autogen", 2),  # n + n is n squared for 2 and 0 only
        ("refine", "coder", "crewai", None, 4),
    ]
    assert values["trace"]["persona"] == "coder" and values["trace"]["framework"] == "crewai"
    steps = [e["node"] for e in events if e["kind"] == "node.start"]
    assert steps == ["setup", "tests", "expand", "evaluate", "select", "expand", "evaluate", "select", "finish"]
    tests_event = next(e["data"] for e in events if e["kind"] == "code_tree.tests")
    assert (tests_event["persona"], tests_event["framework"]) == ("evaluator", "autogen")
    assert values["usage"]["calls"] == 4


def test_proposer_names_the_coder_as_in_every_workflow() -> None:
    from workflows.graphs.code import tree_config

    assert tree_config({**TREE, "coder": None, "proposer": "coder@autogen"}).coder == "coder@autogen"
    assert tree_config({**TREE, "proposer": "tutor"}).coder == "coder@crewai"  # an explicit coder wins


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tests": [], "task": "Write a poem generator."}, "input.tests: the tree search needs something to test"),
        ({"tests": ["square(2) is 4"]}, "input.tests: a test must be an assert that calls the function"),
        ({"config": {"k": 0}}, "input.config.k: Input should be greater than or equal to 1"),
        ({"config": {"width": 3}}, "input.config.width: Extra inputs are not permitted"),
        ({"coder": "wizard"}, "input.coder: unknown persona 'wizard'"),
        ({"coder": None, "proposer": "wizard"}, "input.proposer: unknown persona 'wizard'"),
        ({"task": "  "}, "input.task: the code workflow needs a non-empty 'task'"),
    ],
)
def test_a_tree_it_cannot_search_is_refused_before_the_run(change: dict, message: str) -> None:
    check = get_workflow("code").check_input
    assert check is not None
    with pytest.raises(InvalidInput) as raised:
        check({**TREE, **change})
    assert str(raised.value).startswith(message)
