"""The strategy arena on the scripted model: known answers per strategy give exactly the expected table."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from agents.evals.suites import gsm8k_items
from workflows.inputs import InvalidInput
from workflows.strategies.tasks import get_task

from .helpers import run_workflow, scripted
from .test_reason_workflow import game24_rules

ITEMS = gsm8k_items()[:10]
DIRECT_RIGHT, COT_RIGHT = {0}, {0, 1, 2, 3, 4}  # CoT-SC's vote is right on all ten


def gsm8k_rules() -> list[dict[str, Any]]:
    """Per item: direct answers once; the CoT prompt's first reply is CoT's, the next ones CoT-SC's samples."""
    rules = []
    for k, item in enumerate(ITEMS):
        right, question = item.data["number"], re.escape(item.input[:60])
        direct = right if k in DIRECT_RIGHT else "0"
        cot = right if k in COT_RIGHT else "0"
        rules.append({"pattern": question + ".*Reply with the final answer only", "response": f"Answer: {direct}"})
        replies = [f"So.\nAnswer: {cot}", *[f"Adding up.\nAnswer: {right}"] * 5]
        rules.append({"pattern": question + ".*think step by step", "responses": replies})
    return rules


def words(text: str) -> int:
    return len(text.split())


async def test_direct_cot_and_cot_sc_on_ten_gsm8k_items_give_exactly_the_expected_table(tmp_path: Path) -> None:
    graph_input = {"suite": "gsm8k", "limit": 10, "strategies": ["direct", "cot", "cot_sc"]}
    values, events, _ = await run_workflow("eval", graph_input, scripted(gsm8k_rules()), tmp_path / "c.db")
    result = values["result"]
    table = {c["id"]: c for c in result["columns"]}
    assert list(table) == ["direct@scripted", "cot@scripted", "cot_sc@scripted"]
    got = {cid: (c["correct"], c["items"], c["accuracy"]) for cid, c in table.items()}
    assert got == {"direct@scripted": (1, 10, 0.1), "cot@scripted": (5, 10, 0.5), "cot_sc@scripted": (10, 10, 1.0)}
    wilson = {cid: (c["wilson95"]["low"], c["wilson95"]["high"]) for cid, c in table.items()}
    assert wilson["direct@scripted"] == pytest.approx((0.0178762, 0.4041500), abs=1e-6)  # Wilson 1/10, z = 1.959964
    assert wilson["cot@scripted"] == pytest.approx((0.2365931, 0.7634069), abs=1e-6)  # 5/10
    assert wilson["cot_sc@scripted"] == pytest.approx((0.7224672, 1.0), abs=1e-6)  # 10/10
    tests = {(m["a"], m["b"]): (m["a_only"], m["b_only"], m["p_value"]) for m in result["mcnemar"]}
    assert tests == {
        ("direct@scripted", "cot@scripted"): (0, 4, 0.125),  # 2 * (1/2)^4
        ("direct@scripted", "cot_sc@scripted"): (0, 9, 2 / 2**9),
        ("cot@scripted", "cot_sc@scripted"): (0, 5, 0.0625),
    }
    # cost: one call each for direct and cot; CoT-SC's unanimous vote stops after 3 of its 5 samples
    calls = {cid: c["calls_per_item"] for cid, c in table.items()}
    assert calls == {"direct@scripted": 1.0, "cot@scripted": 1.0, "cot_sc@scripted": 3.0}
    tasks = [get_task("gsm8k", question=i.input, answer=i.data["number"]) for i in ITEMS]
    assert table["direct@scripted"]["prompt_tokens"] == sum(words(t.direct_prompt()) for t in tasks)
    assert table["cot@scripted"]["prompt_tokens"] == sum(words(t.cot_prompt()) for t in tasks)
    assert table["cot_sc@scripted"]["prompt_tokens"] == 3 * table["cot@scripted"]["prompt_tokens"]
    assert table["direct@scripted"]["completion_tokens"] == 2 * 10  # "Answer: n"
    assert table["cot_sc@scripted"]["evaluated_prompt_tokens"] == table["cot_sc@scripted"]["prompt_tokens"]
    per_1k = 0.1 / ((table["direct@scripted"]["prompt_tokens"] + 20) / 10 / 1000)
    assert table["direct@scripted"]["accuracy_per_1k_tokens"] == pytest.approx(per_1k)
    # the live events: one per item, in order, with each column's running accuracy
    progress = [e["data"] for e in events if e["kind"] == "eval.item"]
    assert [p["index"] for p in progress] == list(range(10))
    assert progress[4]["accuracy"] == {"direct@scripted": 0.2, "cot@scripted": 1.0, "cot_sc@scripted": 1.0}
    assert progress[-1]["accuracy"] == {"direct@scripted": 0.1, "cot@scripted": 0.5, "cot_sc@scripted": 1.0}
    assert values["answer"].startswith("gsm8k, 10 items: direct@scripted 1/10 = 0.100 [0.018, 0.404]")


def game24_arena_rules() -> list[dict[str, Any]]:
    """Puzzle 900 (4 5 6 10): ToT solves it through the scripted tree; direct and CoT each solve one puzzle."""
    direct, cot = r"obtain 24\.\nInput: 4 4 6 8\n.*", r"Each step.*"
    return [
        {"pattern": direct + r"Input: 4 5 6 10\n\Z", "response": "4 + 5 + 6 + 10 = 24"},  # wrong: 25
        {"pattern": direct + r"Input: 1 2 4 7\n\Z", "response": "4 * (7 + 1 - 2) = 24"},
        {"pattern": cot + r"Input: 4 5 6 10\n\Z", "response": "Answer: (10 - 6) * 5 + 4 = 24"},
        {"pattern": cot + r"Input: 1 2 4 7\n\Z", "response": "Answer: (1 + 2) * 4 + 7 = 24"},  # wrong: 19
        *game24_rules(),
    ]


async def test_tot_arena_on_game24_puzzles_900_and_901(tmp_path: Path) -> None:
    graph_input = {"suite": "game24", "limit": 2, "strategies": ["direct", "cot", "tot"], "reference": True}
    values, _, _ = await run_workflow("eval", graph_input, scripted(game24_arena_rules()), tmp_path / "c.db")
    result = values["result"]
    verdicts = {cid: [i["outputs"][cid]["correct"] for i in result["items"]] for cid in result["items"][0]["outputs"]}
    assert verdicts == {
        "reference": [True, True],
        "direct@scripted": [False, True],
        "cot@scripted": [True, False],
        "tot@scripted": [True, False],  # no scripted tree for 1 2 4 7: every ToT call fails, no answer
    }
    tot = result["items"][0]["outputs"]["tot@scripted"]
    assert tot["calls"] > 3 and tot["output"].endswith("= 24")
    assert [c["accuracy"] for c in result["columns"]] == [1.0, 0.5, 0.5, 0.5]
    tests = {(m["a"], m["b"]): (m["a_only"], m["b_only"], m["p_value"]) for m in result["mcnemar"]}
    assert tests[("direct@scripted", "cot@scripted")] == (1, 1, 1.0)
    assert tests[("cot@scripted", "tot@scripted")] == (0, 0, 1.0)


@pytest.mark.parametrize(
    ("graph_input", "field", "message"),
    [
        ({"suite": "humaneval", "strategies": ["cot"]}, "strategies", "code items take direct, code_tree or an agent"),
        ({"suite": "gsm8k", "agent": "nobody"}, "agent", "unknown agent 'nobody'"),
        ({"suite": "gsm8k", "reference": True, "offset": 5000}, "offset", "selects no items"),
        ({"suite": "gsm8k"}, "", "choose at least one column"),
        ({"suite": "jsonl", "suite_text": '{"input": "a"}', "reference": True}, "suite_text", "line 1: a question"),
        ({"suite": "jsonl", "suite_text": '{"prompt": "p", "test": "t"}', "reference": True}, "reference", "line 1"),
    ],
)
async def test_an_evaluation_that_cannot_run_is_refused_naming_the_field(
    tmp_path: Path, graph_input: dict[str, Any], field: str, message: str
) -> None:
    from workflows.graphs.eval import check_input

    with pytest.raises(InvalidInput, match=re.escape(message)) as caught:
        check_input(graph_input)
    assert caught.value.field == field


async def test_an_unknown_model_fails_the_run_before_any_item(tmp_path: Path) -> None:
    from agents.llm.errors import ModelNotFound

    with pytest.raises(ModelNotFound, match="unknown model 'nosuch'"):
        await run_workflow("eval", {"suite": "gsm8k", "strategies": ["direct"], "models": ["nosuch"], "limit": 1},
                           scripted([]), tmp_path / "c.db")
