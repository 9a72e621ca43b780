"""HumanEval through the sandbox: every canonical solution passes, a broken one fails, workers bound the processes."""

from __future__ import annotations

import asyncio

import pytest

from agents import sandbox
from agents.evals import code
from agents.evals.code import run_program, run_programs
from agents.evals.suites import humaneval_items
from tools.evals.code import build_program

needs_bwrap = pytest.mark.skipif(sandbox.find_bwrap() is None, reason="bubblewrap (bwrap) is not installed")


def programs(completions: list[str]) -> list[str]:
    items = humaneval_items()
    return [
        build_program(item.input, completion, item.data["test"], item.data["entry_point"])
        for item, completion in zip(items, completions, strict=False)
    ]


@needs_bwrap
def test_all_164_canonical_solutions_pass_in_the_sandbox() -> None:
    items = humaneval_items()
    outcomes = asyncio.run(run_programs(programs([i.expected or "" for i in items]), workers=2, mode="bwrap"))
    failed = [(items[i].id, o.detail) for i, o in enumerate(outcomes) if not o.passed]
    assert len(outcomes) == 164 and failed == []


@needs_bwrap
def test_a_broken_solution_set_fails_exactly_where_it_is_broken() -> None:
    items = humaneval_items()[:12]
    broken = {1, 4, 7, 10}
    completions = [
        "    raise NotImplementedError\n" if i in broken else (item.expected or "") for i, item in enumerate(items)
    ]
    completions[4] = "    return None\n"  # wrong, not crashing
    outcomes = asyncio.run(run_programs(programs(completions), workers=2, mode="bwrap"))
    assert {i for i, o in enumerate(outcomes) if not o.passed} == broken
    assert "NotImplementedError" in outcomes[1].detail and outcomes[4].status == "failed"


@needs_bwrap
def test_a_sample_that_never_ends_is_timed_out() -> None:
    outcome = asyncio.run(run_program("while True:\n    pass\n", timeout_s=1.0, mode="bwrap"))
    assert outcome.status == "timed out" and not outcome.passed


def test_workers_bound_the_processes_alive_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    alive, peak = 0, 0

    async def fake_run(program: str, limits: object, *, mode: object = None) -> sandbox.SandboxResult:
        nonlocal alive, peak
        alive += 1
        peak = max(peak, alive)
        await asyncio.sleep(0.01)
        alive -= 1
        return sandbox.SandboxResult(exit_code=0 if "ok" in program else 1, stdout="", stderr="AssertionError\n")

    monkeypatch.setattr(code, "run_python_async", fake_run)
    outcomes = asyncio.run(run_programs(["ok", "bad", "ok", "ok", "bad", "ok"], workers=2))
    assert peak == 2
    assert [o.passed for o in outcomes] == [True, False, True, True, False, True]
    assert outcomes[1].detail == "AssertionError"
