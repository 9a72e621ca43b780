"""Prompt search on the scripted model: the prompt-engineer's variants, scored by the evaluator, best kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.llm import Gateway
from agents.llm.backends.scripted import ScriptedBackend
from tools.reasoning.prompts import apply_technique
from workflows.inputs import InvalidInput
from workflows.registry import get_workflow
from workflows.strategies.prompt_search import PromptSearchConfig, search_prompt

from .helpers import run_workflow

ENGINEER, EVALUATOR = "prompt engineer", "strict evaluator"
PROMPT = "Write a slogan for a bakery."
COPYWRITER = "You are a copywriter. Write a slogan for a bakery."
BEST = "You are a copywriter. Write a short, catchy slogan for a bakery, under eight words."


def technique(name: str) -> str:
    return f'{ENGINEER}.*technique "{name}"'


RULES: list[dict[str, Any]] = [
    # the evaluator scores what the model wrote (the grade turn quotes the output)
    {"pattern": f"{EVALUATOR}.*ZORBLAX", "response": "SCORE: 10\nREASONS:\n- short and vivid"},
    {"pattern": f"{EVALUATOR}.*QUIBBIT", "response": "SCORE: 8\nREASONS:\n- vivid"},
    {"pattern": f"{EVALUATOR}.*FENDRO", "response": "SCORE: 6\nREASONS:\n- clear"},
    {"pattern": EVALUATOR, "response": "SCORE: 3\nREASONS:\n- bland"},
    # the prompt-engineer: a variant per technique; for "structured text" it only echoes its instructions
    {"pattern": f"{technique('descriptive')}.*<<<\nYou are a copywriter", "response": BEST},
    {"pattern": technique("descriptive"), "response": "Write a short, catchy slogan for a small bakery."},
    {"pattern": technique("persona"), "response": f"REWRITTEN PROMPT:\n{COPYWRITER}"},
    {"pattern": technique("structured text"), "response": "Reply with the rewritten prompt only."},
    # the model answering each prompt (a plain call: the prompt is all there is)
    {"pattern": r"^You are a copywriter\. Write a short", "response": "ZORBLAX"},
    {"pattern": r"^You are a copywriter", "response": "QUIBBIT"},
    {"pattern": r"^Write a short, catchy", "response": "FENDRO"},
    {"pattern": r"^### Task", "response": "MULPIX"},
    {"pattern": r"^Write a slogan", "response": "GRONK"},
]
CONFIG = {"techniques": ["descriptive", "persona", "structured text"], "variants": 3, "breadth": 1, "depth": 2}


async def test_the_search_keeps_the_variant_the_evaluator_scores_highest_and_refines_it() -> None:
    backend = ScriptedBackend(RULES)
    events: list[tuple[str, dict[str, Any]]] = []
    result = await search_prompt(
        PROMPT, ["bread", "cakes"], Gateway(backend), PromptSearchConfig(**CONFIG), lambda k, d: events.append((k, d))
    )
    assert result.prompt == BEST and result.techniques == ["persona", "descriptive"]
    assert (result.score, result.original_score) == (10.0, 3.0)
    table = [(row["techniques"], row["source"], row["written_by"], row["score"]) for row in result.table]
    assert table == [
        (["persona", "descriptive"], "persona", "prompt-engineer@crewai", 10.0),
        (["persona"], "persona", "prompt-engineer@crewai", 8.0),
        (["descriptive"], "persona", "prompt-engineer@crewai", 6.0),
        ([], "original", None, 3.0),
        (["structured text"], "rule", "prompt-engineer@crewai", 3.0),
        (["persona", "structured text"], "rule", "prompt-engineer@crewai", 3.0),
    ]
    structured = next(n for n in result.nodes if n.techniques == ["structured text"])
    assert structured.problem == "the reply only echoed its instructions"
    assert structured.prompt == apply_technique(PROMPT, "structured text")  # the technique, applied by rule
    scored = [o for n in result.nodes for o in n.outputs]
    assert len(scored) == 12 and {o["by"] for o in scored} == {"evaluator@autogen"}
    assert {o["input"] for o in scored} == {"bread", "cakes"}
    assert [d["kept_ids"] for k, d in events if k == "prompt_search.select"] == [["2"], ["4"]]
    # 5 variants written + 12 answers + 12 grades; no test inputs written (the user gave them)
    assert result.usage.calls == 29


async def test_expected_answers_score_without_the_evaluator_and_the_original_wins_a_tie() -> None:
    rules = [
        {"pattern": technique("persona"), "response": "You are a math teacher. What is 6 times 7?"},
        {"pattern": r"^You are a math teacher", "response": "Six sevens make 42."},
        {"pattern": r"^What is 6 times 7", "response": "Answer: 42"},
    ]
    config = PromptSearchConfig(techniques=["persona"], depth=1)
    result = await search_prompt(
        "What is 6 times 7?", [{"input": "", "expected": "42"}], Gateway(ScriptedBackend(rules)), config
    )
    assert result.prompt == "What is 6 times 7?" and (result.score, result.original_score) == (10.0, 10.0)
    assert [(row["techniques"], row["score"]) for row in result.table] == [([], 10.0), (["persona"], 10.0)]
    assert all(o["method"] == "expected answer" and o["by"] is None for n in result.nodes for o in n.outputs)


async def test_the_prompt_lab_search_writes_its_test_inputs_and_is_checkpointed(tmp_path: Path) -> None:
    rules = [{"pattern": f"{ENGINEER}.*example inputs", "response": "1. sourdough\n2. croissants"}, *RULES]
    graph_input = {"prompt": PROMPT, "strategy": "search", "evaluator": "evaluator@crewai", "config": CONFIG}
    values, events, snapshot = await run_workflow(
        "prompt_lab", graph_input, Gateway(ScriptedBackend(rules)), tmp_path / "c.db"
    )
    assert snapshot.next == ()
    assert values["answer"] == values["rewritten_prompt"] == BEST
    assert values["verdict"]["better"] == "rewritten" and values["verdict"]["rewritten_score"] == 1.0
    assert [t["input"] for t in values["search"]["tests"]] == ["sourdough", "croissants"]
    assert values["tricks_applied"] == [
        {"trick": "persona", "why": "written by the prompt-engineer"},
        {"trick": "descriptive", "why": "written by the prompt-engineer"},
    ]
    assert values["score_table"][0]["score"] == 10.0
    steps = [e["node"] for e in events if e["kind"] == "node.start"]
    assert steps == ["setup", "tests", "expand", "evaluate", "select", "expand", "evaluate", "select", "finish"]
    written = next(e["data"] for e in events if e["kind"] == "prompt_search.tests")
    assert (written["persona"], written["framework"]) == ("prompt-engineer", "crewai")
    scored_by = {b for e in events if e["kind"] == "prompt_search.score" for b in e["data"]["scored_by"]}
    assert scored_by == {"evaluator@crewai"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"prompt": " "}, "input.prompt: the prompt search needs a non-empty 'prompt'"),
        ({"tests": [{"input": " "}]}, "input.tests: tests[0] must be a non-empty string"),
        ({"config": {"techniques": ["telepathy"]}}, "input.config.techniques: techniques must be among"),
        ({"engineer": "poet"}, "input.engineer: unknown persona 'poet'"),
    ],
)
def test_a_search_it_cannot_run_is_refused_before_the_run(change: dict, message: str) -> None:
    check = get_workflow("prompt_lab").check_input
    assert check is not None
    with pytest.raises(InvalidInput) as raised:
        check({"prompt": PROMPT, "strategy": "search", **change})
    assert str(raised.value).startswith(message)
