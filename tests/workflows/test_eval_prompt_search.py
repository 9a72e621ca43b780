"""Prompt-lab columns in the eval (issue 13): the best variant the prompt search finds on training items,
against the original prompt, on held-out items of the same suite and model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.workflows.helpers import run_workflow, scripted
from workflows.graphs.eval import parse_spec
from workflows.inputs import InvalidInput

CITIES = [("Italy", "Rome"), ("Spain", "Madrid"), ("Japan", "Tokyo"), ("Kenya", "Nairobi"), ("Peru", "Lima")]
SUITE = "".join(json.dumps({"input": f"What is the capital of {c}?", "answer": a}) + "\n" for c, a in CITIES)
#: The prompt-engineer only echoes its instructions, so each variant applies its technique by rule; the
#: model answers right only when the prompt shows an example (the "examples" technique's text).
RULES: list[dict[str, Any]] = [
    {"pattern": "prompt engineer", "response": "Reply with the rewritten prompt only."},
    *({"pattern": rf"For example, a question[\s\S]*capital of {c}\?$", "response": f"Answer: {a}"} for c, a in CITIES),
    {"pattern": "capital of", "response": "Answer: I am not sure"},
]


async def test_the_searched_variant_beats_the_original_on_items_it_never_saw(tmp_path: Path) -> None:
    spec = {"suite": "jsonl", "suite_text": SUITE, "strategies": ["prompt", "prompt_search"], "offset": 3, "limit": 2}
    values, events, _ = await run_workflow("eval", spec, scripted(RULES), tmp_path / "c.db")
    result = values["result"]
    accuracy = {c["id"].split("@")[0]: (c["correct"], c["items"]) for c in result["columns"]}
    assert accuracy == {"prompt": (0, 2), "prompt_search": (2, 2)}
    (found,) = result["prompts"]
    assert found["train_items"] == ["jsonl/3", "jsonl/2", "jsonl/1"]  # lines 1-3: the items before the evaluated
    assert not set(found["train_items"]) & {item["id"] for item in result["items"]}
    assert "examples" in found["techniques"] and "For example" in found["prompt"]
    assert (found["original_train_score"], found["train_score"]) == (0.0, 10.0)
    assert found["search_calls"] > 0 and found["search_prompt_tokens"] > 0  # the search cost is reported
    assert found["original"].startswith("Answer the question.")
    kinds = [e["kind"] for e in events]
    assert kinds.index("eval.prompt_search") < kinds.index("eval.item")  # searched once, before any item
    assert sum(1 for e in events if e["kind"] == "eval.prompt_search" and e["data"]["status"] == "done") == 1
    (mcnemar,) = result["mcnemar"]
    assert (mcnemar["a_only"], mcnemar["b_only"]) == (0, 2)


async def test_a_given_prompt_is_what_both_columns_start_from(tmp_path: Path) -> None:
    prompt = "Name the city. {input} Reply as 'Answer: <city>'."
    spec = {"suite": "jsonl", "suite_text": SUITE, "strategies": ["prompt"], "limit": 1, "prompt": prompt}
    rules = [{"pattern": r"^Name the city\. What is the capital of Italy\? Reply", "response": "Answer: Rome"}]
    values, _, _ = await run_workflow("eval", spec, scripted(rules), tmp_path / "c.db")
    (column,) = values["result"]["columns"]
    assert (column["correct"], column["items"]) == (1, 1)


@pytest.mark.parametrize(
    ("spec", "field", "words"),
    [
        ({"suite": "jsonl", "strategies": ["prompt_search"], "limit": 4}, "train", "needs 3 training items"),
        ({"suite": "game24", "strategies": ["prompt"], "limit": 1}, "", "checkable answer"),
        ({"suite": "jsonl", "strategies": ["prompt"], "prompt": "  "}, "", "must not be empty"),
    ],
)
def test_prompt_columns_that_cannot_run_are_refused_before_they_start(
    spec: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_spec({"suite_text": SUITE, **spec})
    assert words in str(caught.value)
    if field:
        assert caught.value.field == field
