"""The coding team (coder, sandbox executor, evaluator) ends within its bounds on the scripted backend."""

from __future__ import annotations

import time
from typing import Any

from agents.autogen_adapter.teams import is_approval, run_coding_team

from .conftest import (
    APPROVING_REVIEW,
    BROKEN_CODE,
    CODER_PROMPT,
    EVALUATOR_PROMPT,
    REJECTING_REVIEW,
    REVERSE_CODE,
    needs_bwrap,
    scripted_gateway,
)

TASK = "Write and run a function that reverses a string"


@needs_bwrap
async def test_team_is_approved_after_code_runs() -> None:
    gateway = scripted_gateway(
        [
            {"pattern": EVALUATOR_PROMPT, "response": APPROVING_REVIEW},
            {"pattern": CODER_PROMPT, "response": REVERSE_CODE},
        ]
    )
    events: list[tuple[str, dict[str, Any]]] = []
    result = await run_coding_team(TASK, gateway, max_messages=8, on_event=lambda k, d: events.append((k, d)))
    assert result.verdict == "approved" and result.score == 9.0
    assert result.exit_code == 0 and result.test_output == "olleh\n"
    assert result.final_code.startswith("def reverse(s: str) -> str:")
    assert "print(reverse('hello'))" in result.final_code
    assert result.evaluator_feedback == APPROVING_REVIEW
    assert [m["source"] for m in result.messages] == ["coder", "executor", "evaluator"]
    assert [k for k, _ in events if k != "token"] == ["message", "code", "execution", "message", "message"]
    assert len(result.usage) == 2 and gateway.ledger.totals()["calls"] == 2
    assert [u.model_dump() for u in result.usage] == [u.model_dump() for u in gateway.ledger.records]


@needs_bwrap
async def test_evaluator_sees_the_failure_and_the_coder_fixes_it() -> None:
    gateway = scripted_gateway(
        [
            {"pattern": EVALUATOR_PROMPT + r".*olleh", "response": APPROVING_REVIEW},
            {"pattern": EVALUATOR_PROMPT, "response": "SCORE: 2\nREASONS:\n- it crashes with AttributeError"},
            {"pattern": CODER_PROMPT, "responses": [BROKEN_CODE, REVERSE_CODE]},
        ]
    )
    result = await run_coding_team(TASK, gateway, max_messages=12)
    assert result.verdict == "approved" and result.exit_code == 0
    assert [m["source"] for m in result.messages] == ["coder", "executor", "evaluator"] * 2
    assert "s.reverse()" not in result.final_code


@needs_bwrap
async def test_team_that_is_never_approved_stops_at_max_messages() -> None:
    gateway = scripted_gateway(
        [
            {"pattern": EVALUATOR_PROMPT, "response": REJECTING_REVIEW},
            {"pattern": CODER_PROMPT, "response": REVERSE_CODE},
        ]
    )
    result = await run_coding_team(TASK, gateway, max_messages=7)
    assert result.verdict == "max_messages" and "Maximum number of messages 7" in result.stop_reason
    assert len(result.messages) == 6  # + the task message = 7
    assert result.score == 4.0 and result.exit_code == 0
    assert len(result.usage) == 4 == gateway.ledger.totals()["calls"]


@needs_bwrap
async def test_approving_code_that_failed_is_not_approved() -> None:
    gateway = scripted_gateway(
        [
            {"pattern": EVALUATOR_PROMPT, "response": APPROVING_REVIEW},
            {"pattern": CODER_PROMPT, "response": BROKEN_CODE},
        ]
    )
    result = await run_coding_team(TASK, gateway, max_messages=8)
    assert result.verdict == "not_approved" and result.exit_code == 1
    assert "AttributeError" in result.test_output


async def test_slow_model_is_cut_off_by_the_timeout_with_usage_recorded() -> None:
    gateway = scripted_gateway([{"pattern": CODER_PROMPT, "response": REVERSE_CODE, "delay_s": 0.3}])
    started = time.perf_counter()
    result = await run_coding_team(TASK, gateway, max_messages=50, timeout_s=1.0)
    assert time.perf_counter() - started < 5
    assert result.verdict == "timeout" and result.stop_reason == "timeout after 1s"
    assert result.exit_code is None and result.messages == []
    (usage,) = result.usage
    assert usage.operation == "stream_cancelled" and usage.completion_tokens > 0
    assert gateway.ledger.records == [usage]


def test_approval_must_be_explicit_and_not_negated() -> None:
    assert is_approval("SCORE: 9\nAPPROVE")
    assert is_approval("Looks great. APPROVED.")
    assert not is_approval("SCORE: 3. NOT APPROVED")
    assert not is_approval("I cannot approve this yet")
    assert not is_approval("I would approve after fixes")  # lower case does not count
    assert not is_approval("DISAPPROVE")
