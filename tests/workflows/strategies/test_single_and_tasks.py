from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from agents.llm.errors import BackendError
from workflows.strategies import (
    CoTConfig,
    CoTSCConfig,
    DirectConfig,
    StrategyConfig,
    ToTConfig,
    get_task,
    run_cot,
    run_direct,
    run_strategy,
)
from workflows.strategies.tasks import first_verdict, gsm8k_correct, gsm8k_items, gsm8k_reference

from .helpers import Events, scripted


def test_gsm8k_reference_and_numeric_verifier() -> None:
    assert len(gsm8k_items()) == 1319  # the whole test split
    task = get_task("gsm8k", index=0)
    assert task.verify("$18.00") is True and task.verify("18 dollars") is True
    assert task.verify("17") is False and task.verify(None) is False
    assert gsm8k_reference("so 1,000 + 200 = 1,200\n#### 1,200") == "1200"
    assert gsm8k_correct("1200.0", "1,200")
    custom = get_task("gsm8k", question="2+2?", answer="#### 4")
    assert custom.verify("Answer: 4") is True
    with pytest.raises(ValueError):
        gsm8k_reference("no marker")


def test_task_registry_errors() -> None:
    with pytest.raises(ValueError):
        get_task("nope")
    with pytest.raises(ValueError):
        get_task("generic")
    assert get_task("generic", question="q").verify("x") is None


def test_verdict_parsing_prefers_the_first_verdict_line() -> None:
    assert first_verdict("5 6 10\n5 + 6 + 10 = 21\nlikely\n1 2 3\nimpossible") == "likely"
    assert first_verdict("no verdict here, I am sure") is None


def test_config_union_round_trips() -> None:
    for cfg in (DirectConfig(), CoTConfig(), CoTSCConfig(n=7), ToTConfig(search="dfs")):
        parsed = TypeAdapter(StrategyConfig).validate_python(cfg.model_dump())
        assert parsed == cfg
    with pytest.raises(ValidationError):
        ToTConfig(search="dfs", select="sample")
    with pytest.raises(ValidationError):
        CoTSCConfig(n=0)


async def test_direct_and_cot_extract_and_verify() -> None:
    task = get_task("gsm8k", index=0)
    gateway, backend = scripted(
        [
            {"pattern": "step by step", "response": "16 - 3 - 4 = 9 eggs. 9 * 2 = 18.\nAnswer: $18"},
            {"pattern": "final answer only", "response": "Answer: 20"},
        ]
    )
    events = Events()
    cot = await run_cot(task, gateway, emit=events)
    assert cot.answer == "$18" and cot.verified is True and cot.usage.calls == 1
    direct = await run_direct(task, gateway, emit=events)
    assert direct.answer == "20" and direct.verified is False
    assert [k for k, _ in events.items] == ["cot.answer", "direct.answer"]
    assert backend.options[0].temperature == 0.0


async def test_structured_answer_when_the_model_supports_json_schema() -> None:
    task = get_task("generic", question="Capital of France?")
    gateway, _ = scripted(
        [{"pattern": "France", "response": '{"reasoning": "it is", "answer": "Paris"}'}],
        capabilities=["completion", "json_schema"],
    )
    result = await run_cot(task, gateway, CoTConfig(structured=True))
    assert result.answer == "Paris" and result.trace["structured"] is True


async def test_a_failed_single_call_fails_the_strategy_with_its_typed_error() -> None:
    gateway, _ = scripted([{"pattern": ".", "response": "x"}], fail_calls={0})
    with pytest.raises(BackendError, match="scripted failure on call 0") as raised:
        await run_strategy(get_task("generic", question="q"), gateway, DirectConfig())
    assert raised.value.code == "backend_error"
