"""The coder's tree search as an eval column (issue 13): on the same code items as direct sampling,
scored by the same hidden tests in the sandbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.workflows.helpers import run_workflow, scripted
from workflows.evals.schema import EvalSpec

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")

PROMPT = 'def add(a, b):\n    """Return the sum of a and b.\n    >>> add(2, 3)\n    5\n    """\n'
HIDDEN = "assert add(2, 3) == 5\nassert add(-1, 1) == 0\n"  # a JSONL code line's test runs after the program
SUBTRACTS = "```python\ndef add(a, b):\n    return a - b\n```"
ADDS = "```python\ndef add(a, b):\n    return a + b\n```"
RULES: list[dict[str, Any]] = [
    {"pattern": "Python developer.*Your previous program", "response": ADDS},  # the coder refines from failures
    {"pattern": "Python developer", "response": SUBTRACTS},  # the coder's first proposal is wrong
    {"pattern": "strict evaluator.*test cases for the Python function", "response": "assert add(1, 1) == 2"},
    {"pattern": "strict evaluator.*Review this Python solution", "response": "SCORE: 2\nREASONS:\n- wrong sign"},
    {"pattern": "Complete this Python function", "response": SUBTRACTS},  # direct sampling stays wrong
]


async def test_code_tree_column_refines_what_direct_gets_wrong(tmp_path: Path) -> None:
    suite = json.dumps({"prompt": PROMPT, "test": HIDDEN}) + "\n"
    spec = {"suite": "jsonl", "suite_text": suite, "strategies": ["direct", "code_tree"]}
    values, _, _ = await run_workflow("eval", spec, scripted(RULES), tmp_path / "c.db")
    columns = {c["strategy"]: c for c in values["result"]["columns"]}
    assert (columns["direct"]["correct"], columns["code_tree"]["correct"]) == (0, 1)
    assert columns["code_tree"]["pass_at_k"]["pass@1"] == 1.0 and columns["code_tree"]["calls_per_item"] > 1
    output = values["result"]["items"][0]["outputs"]
    tree = next(v for k, v in output.items() if k.startswith("code_tree@"))
    assert "a + b" in (tree["output"] or "") and tree["detail"]["stop"] == "tests_pass"


def test_code_tree_is_refused_on_suites_without_code() -> None:
    with pytest.raises(ValueError, match="code_tree searches programs"):
        EvalSpec.model_validate({"suite": "gsm8k", "strategies": ["code_tree"]})
