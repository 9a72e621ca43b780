"""Code by tree search on the real embedded model (Gemma 3 270M): whatever the model writes, the search
ends cleanly, each node names its persona, and a program it calls passing also passes the hidden tests."""

from __future__ import annotations

import shutil

import pytest

from agents.evals.code import run_program
from agents.evals.suites import humaneval_rows
from agents.llm.backends.embedded import EmbeddedBackend
from agents.llm.gateway import Gateway
from agents.settings import Settings
from tools.evals.code import build_program
from workflows.strategies.code_tree import CodeTreeConfig, solve_code

pytest.importorskip("llama_cpp", reason="the embedded extra is not installed")
pytestmark = [
    pytest.mark.embedded,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed"),
]


@pytest.fixture(scope="module")
def gateway() -> Gateway:
    return Gateway(EmbeddedBackend(None, Settings().embedded_cache_dir, n_ctx=4096))


async def test_a_humaneval_item_by_tree_search(gateway: Gateway) -> None:
    row = next(r for r in humaneval_rows() if r["task_id"] == "HumanEval/53")
    config = CodeTreeConfig(k=1, breadth=1, depth=2, evaluator_tests=1, review=False, max_tokens=160)
    result = await solve_code(row["prompt"], None, gateway, config, entry_point=row["entry_point"])
    assert result.stop_reason in ("tests_pass", "depth", "no_candidates")
    assert result.tests[:2] == [
        {"expr": "add(2, 3)", "expected": "5", "origin": "visible", "source": "assert add(2, 3) == 5"},
        {"expr": "add(5, 7)", "expected": "12", "origin": "visible", "source": "assert add(5, 7) == 12"},
    ]
    assert result.nodes and all((n.persona, n.framework) == ("coder", "autogen") for n in result.nodes)
    assert all(n.program is not None or n.problem for n in result.nodes)  # no code is a stated problem
    assert result.usage.calls >= 1 + len(result.nodes)  # the evaluator's tests, then one call per candidate
    if result.passed:
        assert result.completion is not None
        hidden = build_program(row["prompt"], result.completion, row["test"], row["entry_point"])
        assert (await run_program(hidden)).passed
