"""An agent column: the coder writes n samples per code item, each judged by the item's tests in the sandbox."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from agents import sandbox

from .helpers import run_workflow, scripted

needs_bwrap = pytest.mark.skipif(sandbox.find_bwrap() is None, reason="bubblewrap (bwrap) is not installed")

SUITE = [
    {"id": "add", "prompt": "def add(a, b):\n    \"\"\"Sum of a and b.\"\"\"\n",
     "test": "def check(f):\n    assert f(2, 3) == 5\n", "entry_point": "add"},
    {"id": "neg", "prompt": "def neg(x):\n    \"\"\"Minus x.\"\"\"\n", "test": "assert neg(4) == -4\n"},
]
RIGHT_ADD = "```python\ndef add(a, b):\n    return a + b\n\nprint(add(2, 3))\n```"
WRONG_ADD = "```python\ndef add(a, b):\n    return a - b\n\nprint(add(2, 3))\n```"
WRONG_NEG = "```python\ndef neg(x):\n    return x\n\nprint(neg(4))\n```"


@needs_bwrap
async def test_the_coder_column_scores_each_sample_and_reports_pass_at_k(tmp_path: Path) -> None:
    rules = [
        {"pattern": r"def add\(a, b\)", "responses": [RIGHT_ADD, WRONG_ADD]},
        {"pattern": r"def neg\(x\)", "responses": [WRONG_NEG]},
    ]
    text = "\n".join(json.dumps(row) for row in SUITE)
    graph_input = {"suite": "jsonl", "suite_text": text, "agent": "coder", "samples": 2}
    values, _, _ = await run_workflow("eval", graph_input, scripted(rules), tmp_path / "c.db")
    result = values["result"]
    outputs = [i["outputs"]["coder@scripted"] for i in result["items"]]
    assert [(o["n"], o["c"], o["correct"]) for o in outputs] == [(2, 1, True), (2, 0, False)]
    assert "return a + b" in (outputs[0]["output"] or "")
    (column,) = result["columns"]
    assert column["accuracy"] == 0.5 and column["pass_at_k"] == {"pass@1": 0.25}  # mean of 1/2 and 0/2
    assert column["calls_per_item"] == 2.0  # one coder call per sample: each ran cleanly, so no fix-up turn


async def test_quiz_answers_from_a_strategy_are_graded_by_the_grounded_grader(tmp_path: Path) -> None:
    from agents.evals.suites import quiz_items

    first, second = quiz_items()[1:3]
    rules = [
        {"pattern": re.escape(first.input[:40]), "response": f"Answer: {first.expected}"},
        {"pattern": re.escape(second.input[:40]), "response": "Answer: I do not know."},
    ]
    graph_input = {"suite": "quiz", "offset": 1, "limit": 2, "strategies": ["direct"]}
    values, _, _ = await run_workflow("eval", graph_input, scripted(rules), tmp_path / "c.db")
    outputs = [i["outputs"]["direct@scripted"] for i in values["result"]["items"]]
    assert [o["correct"] for o in outputs] == [True, False]
    assert outputs[0]["detail"]["verdict"] == "correct" and outputs[1]["detail"]["verdict"] != "correct"
    assert [o["calls"] for o in outputs] == [1, 1]  # a judge's calls are grading, not answering


def test_strategy_columns_never_import_crewai_or_autogen(tmp_path: Path) -> None:
    script = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from tests.workflows.helpers import run_workflow, scripted\n"
        "rules = [{'pattern': '.', 'response': 'Answer: 18'}]\n"
        "graph_input = {'suite': 'gsm8k', 'limit': 1, 'strategies': ['direct', 'cot_sc'], 'reference': True}\n"
        f"asyncio.run(run_workflow('eval', graph_input, scripted(rules), Path({str(tmp_path / 'c.db')!r})))\n"
        "heavy = {'crewai', 'autogen_agentchat', 'autogen', 'chromadb'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
