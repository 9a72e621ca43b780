"""The eval result schema: the contract persistence, the API and exports read."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from workflows.evals.schema import ColumnOutput, EvalResult, EvalSpec, ItemResult


def test_columns_follow_the_spec_in_table_order() -> None:
    spec = EvalSpec(suite="gsm8k", strategies=["direct", "cot"], models=["a", "b"], agent="tutor", reference=True)
    ids = [c.id for c in spec.column_specs("default")]
    assert ids == ["reference", "direct@a", "cot@a", "tutor@a", "direct@b", "cot@b", "tutor@b"]
    assert [c.id for c in EvalSpec(suite="game24", strategies=["tot"]).column_specs("m")] == ["tot@m"]


@pytest.mark.parametrize(
    ("raw", "wrong"),
    [
        ({"suite": "gsm8k"}, "at least one column"),
        ({"suite": "jsonl", "reference": True}, "suite_text"),
        ({"suite": "gsm8k", "strategies": ["cot", "cot"]}, "must not repeat"),
        ({"suite": "nope", "reference": True}, "suite"),
        ({"suite": "gsm8k", "strategies": ["beam"]}, "strategies"),
        ({"suite": "gsm8k", "reference": True, "limit": 0}, "limit"),
    ],
)
def test_a_spec_that_cannot_run_is_refused(raw: dict[str, object], wrong: str) -> None:
    with pytest.raises(ValidationError, match=wrong):
        EvalSpec.model_validate(raw)


def test_a_result_round_trips_through_json() -> None:
    spec = EvalSpec(suite="humaneval", reference=True, samples=2)
    item = ItemResult(index=0, id="HumanEval/0", input="def f(): ...", outputs={"reference": ColumnOutput(
        output="return 1", correct=True, n=2, c=2)})
    result = EvalResult(spec=spec, thinkroom_version="0.1.0", items=[item], total_items=164)
    again = EvalResult.model_validate_json(result.model_dump_json())
    assert again == result and again.items[0].outputs["reference"].c == 2
    with pytest.raises(KeyError, match="no column"):
        result.column("cot@x")
