"""The `arena` workflow on scripted models: verified pairs, the evaluator's blind constrained choice, resume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig

from agents.evals.suites import gsm8k_items
from agents.llm.errors import BackendUnavailable
from agents.llm.gateway import Gateway
from workflows.arena.judging import blind_order
from workflows.checkpoint import open_checkpointer
from workflows.context import WorkflowContext
from workflows.graphs.arena import check_input
from workflows.inputs import InvalidInput
from workflows.registry import get_workflow

from .arena_helpers import Models, gsm8k_answers

ITEMS = gsm8k_items()[:6]
GOOD, BAD, JUDGE = "model-good-7b", "model-bad-1b", "judge-270m"
PROMPTS = ["Write one line about rain.", "Say what a GPU is for."]
POEM = "Rain taps softly on the tin roof tonight."
NOISE = "Bananas are yellow and so on and so on."


async def run_arena(
    db: Path, backend: Models, graph_input: Any, thread: str = "arena-1"
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    async with open_checkpointer(db) as saver:
        graph = get_workflow("arena").build().compile(checkpointer=saver)
        config: RunnableConfig = {"configurable": {"thread_id": thread}}
        try:
            async for part in graph.astream(graph_input, config, context=WorkflowContext(Gateway(backend)),
                                            stream_mode="custom"):
                events.append(part)
        finally:
            snapshot = await graph.aget_state(config)
    return dict(snapshot.values), events


def gsm8k_models(judge_rules: list[dict[str, Any]] | None = None, down_on: str | None = None) -> Models:
    return Models({JUDGE: judge_rules or [], GOOD: gsm8k_answers(ITEMS, True), BAD: gsm8k_answers(ITEMS, False)},
                  down_on=down_on)


async def test_the_right_contestant_wins_every_verified_pair_and_rates_clearly_higher(tmp_path: Path) -> None:
    backend = gsm8k_models()  # the judge has no rules: any call to it would fail the pair
    graph_input = {"suite": "gsm8k", "limit": 6, "contestants": [GOOD, BAD], "seed": 3}
    values, events = await run_arena(tmp_path / "c.db", backend, graph_input)
    result = values["result"]
    assert [c["id"] for c in result["contestants"]] == [GOOD, BAD]
    assert result["judge"] == {"persona": "evaluator", "framework": "autogen", "model": JUDGE}
    assert (result["pairs"], result["verified_pairs"], result["persona_pairs"], result["failed_pairs"]) == (6, 6, 0, 0)
    shown_first = []
    for item in result["items"]:
        (pair,) = item["pairs"]
        assert pair["judgement"]["by"] == "verifier" and pair["judgement"]["method"] == "gsm8k_exact"
        assert pair["winner"] == ("a" if pair["a"] == GOOD else "b")  # the right answer's side, wherever it was
        assert item["answers"][GOOD]["correct"] is True and item["answers"][BAD]["correct"] is False
        assert item["expected"] == item["answers"][GOOD]["answer"]
        shown_first.append(pair["a"])
    assert set(shown_first) == {GOOD, BAD}  # the blind order really varies with the item
    assert shown_first == [blind_order(3, i.id, GOOD, BAD)[0] for i in ITEMS]
    assert backend.prompts_to(JUDGE) == []  # verified pairs never ask the judge
    good, bad = result["ratings"]["ratings"]
    assert (good["contestant"], good["wins"], good["losses"], bad["losses"]) == (GOOD, 6, 0, 6)
    assert good["elo"] > 1000 > bad["elo"] and good["low"] > bad["high"]  # non-overlapping 95% intervals
    assert result["ratings"]["source"] == "judge" and result["ratings"]["outcomes"] == 6
    assert values["answer"].startswith(f"arena on gsm8k, 6 prompts, 6 pairs (6 verified, 0 by the evaluator): {GOOD}")
    progress = [e["data"] for e in events if e["kind"] == "arena.item"]
    assert [p["done"] for p in progress] == [1, 2, 3, 4, 5, 6]
    assert progress[-1]["record"] == {GOOD: [6, 0, 0], BAD: [0, 6, 0]}


def judge_rules(choice_for_poem_side: bool = True) -> list[dict[str, Any]]:
    """The judge's critique turn, and its constrained choice: always the side that shows the poem."""
    return [
        {"pattern": r"In two or three sentences", "response": "One answer is on topic; the other is not."},
        {"pattern": rf"Answer A: {POEM}", "response": '{"winner": "A"}'},
        {"pattern": rf"Answer B: {POEM}", "response": '{"winner": "B"}'},
        {"pattern": r"Answer A: ", "response": '{"winner": "tie"}'},
    ]


def prompt_models() -> Models:
    return Models({
        JUDGE: judge_rules(),
        GOOD: [{"pattern": ".", "response": POEM}],
        BAD: [{"pattern": ".", "response": NOISE}],
    })


async def test_an_unverifiable_prompt_goes_to_the_evaluators_blind_constrained_choice(tmp_path: Path) -> None:
    backend = prompt_models()
    graph_input = {"prompts": PROMPTS, "contestants": [GOOD, BAD], "seed": 2}
    values, _ = await run_arena(tmp_path / "c.db", backend, graph_input)
    result = values["result"]
    assert (result["pairs"], result["verified_pairs"], result["persona_pairs"]) == (2, 0, 2)
    for item in result["items"]:
        (pair,) = item["pairs"]
        judgement = pair["judgement"]
        assert (judgement["by"], judgement["method"], judgement["persona"]) == ("persona", "constrained_choice",
                                                                                "evaluator")
        assert judgement["framework"] == "autogen" and judgement["model"] == JUDGE  # the critique ran on AutoGen
        assert judgement["critique"] == "One answer is on topic; the other is not."
        assert pair["winner"] == ("a" if pair["a"] == GOOD else "b")
        assert judgement["choices"] == (["A", "B"] if pair["a"] == GOOD else ["B", "A"])  # the same answer, swapped
        assert item["answers"][GOOD]["correct"] is None  # nothing could check it
    assert {i["pairs"][0]["a"] for i in result["items"]} == {GOOD, BAD}  # both orders were shown
    seen = backend.prompts_to(JUDGE)
    assert len(seen) == 8  # per pair and order (as shown, swapped): one critique turn, one constrained choice
    for prompt in seen:  # blind: the judge saw the answers, never who wrote them
        assert GOOD not in prompt and BAD not in prompt and "model-" not in prompt
        assert POEM in prompt and NOISE in prompt
    assert result["ratings"]["ratings"][0]["contestant"] == GOOD


async def test_without_a_critique_the_choice_is_one_constrained_call(tmp_path: Path) -> None:
    backend = prompt_models()
    graph_input = {"prompts": PROMPTS[:1], "contestants": [GOOD, BAD], "critique": False}
    values, _ = await run_arena(tmp_path / "c.db", backend, graph_input)
    (pair,) = values["result"]["items"][0]["pairs"]
    assert pair["judgement"]["framework"] is None and pair["judgement"]["critique"] is None
    assert len(backend.prompts_to(JUDGE)) == 2 and all("Answer A:" in p for p in backend.prompts_to(JUDGE))
    assert pair["winner"] == ("a" if pair["a"] == GOOD else "b")


@pytest.mark.parametrize(("both_orders", "winner"), [(True, "tie"), (False, "a")])
async def test_a_judge_that_always_says_a_gives_ties_once_the_pair_is_also_judged_swapped(
    tmp_path: Path, both_orders: bool, winner: str
) -> None:
    backend = Models({JUDGE: [{"pattern": "Answer A:", "response": '{"winner": "A"}'}],
                      GOOD: [{"pattern": ".", "response": POEM}], BAD: [{"pattern": ".", "response": NOISE}]})
    graph_input = {"prompts": PROMPTS, "contestants": [GOOD, BAD], "critique": False, "both_orders": both_orders}
    values, _ = await run_arena(tmp_path / "c.db", backend, graph_input)
    pairs = [i["pairs"][0] for i in values["result"]["items"]]
    assert [p["winner"] for p in pairs] == [winner, winner]
    if both_orders:
        assert all(p["judgement"]["choices"] == ["A", "A"] and "inconsistent" in p["judgement"]["reason"]
                   for p in pairs)
        assert [round(r["elo"], 6) for r in values["result"]["ratings"]["ratings"]] == [1000.0, 1000.0]


async def test_a_failed_choice_leaves_the_pair_unrated_and_a_failed_answer_loses_by_rule(tmp_path: Path) -> None:
    backend = Models({
        JUDGE: [{"pattern": "Answer A:", "response": "not json at all"}],
        GOOD: [{"pattern": ".", "response": POEM}],
        BAD: [],  # every call fails: no answer
        "model-third": [{"pattern": ".", "response": NOISE}],
    })
    graph_input = {"prompts": PROMPTS[:1], "contestants": [GOOD, BAD, "model-third"], "critique": False}
    values, _ = await run_arena(tmp_path / "c.db", backend, graph_input)
    result = values["result"]
    pairs = {frozenset((p["a"], p["b"])): p for p in result["items"][0]["pairs"]}
    ruled = pairs[frozenset((GOOD, BAD))]
    assert ruled["judgement"]["by"] == "rule" and ruled["winner"] == ("a" if ruled["a"] == GOOD else "b")
    failed = pairs[frozenset((GOOD, "model-third"))]
    assert failed["winner"] is None and "did not return JSON" in failed["judgement"]["error"]
    assert result["items"][0]["answers"][BAD]["error"].startswith("NoScriptedRule")
    assert (result["pairs"], result["failed_pairs"], result["ratings"]["outcomes"]) == (3, 1, 2)


async def test_an_arena_stopped_by_a_fault_resumes_and_answers_only_the_unfinished_prompts(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    graph_input = {"suite": "gsm8k", "limit": 6, "contestants": [GOOD, BAD]}
    with pytest.raises(BackendUnavailable):
        await run_arena(db, gsm8k_models(down_on=ITEMS[3].input[:60]), graph_input)
    healthy = gsm8k_models()
    values, events = await run_arena(db, healthy, None)  # continue the same thread
    assert [i["id"] for i in values["result"]["items"]] == [i.id for i in ITEMS]
    resumed = {e["data"]["id"] for e in events if e["kind"] == "arena.item"}
    asked = {i.id for i in ITEMS if any(i.input[:60] in p for p in healthy.prompts_to(GOOD))}
    assert resumed == asked and ITEMS[3].id in resumed and ITEMS[0].id not in resumed
    assert values["result"]["ratings"]["ratings"][0]["wins"] == 6


@pytest.mark.parametrize(
    ("graph_input", "field"),
    [
        ({"suite": "gsm8k", "contestants": ["a"]}, "contestants"),
        ({"suite": "gsm8k", "contestants": ["a", "a"]}, "contestants"),
        ({"contestants": ["a", "b"]}, "input"),
        ({"suite": "gsm8k", "prompts": ["x"], "contestants": ["a", "b"]}, "input"),
        ({"suite": "gsm8k", "contestants": ["a", "wizard@b"]}, "contestants"),
        ({"suite": "gsm8k", "contestants": ["tutor", "tutor@default"]}, "contestants"),
        ({"suite": "gsm8k", "contestants": ["a", "b"], "judge": "oracle"}, "judge"),
        ({"suite": "gsm8k", "contestants": ["a", "b"], "offset": 5000}, "offset"),
        ({"suite": "jsonl", "suite_text": '{"input": "q"}\n', "contestants": ["a", "b"]}, "suite_text"),
    ],
)
def test_bad_input_is_refused_naming_the_field(graph_input: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_input(graph_input)
    assert caught.value.field == field, caught.value


def test_a_persona_contestant_names_its_model_and_framework() -> None:
    from workflows.arena.contestants import parse_contestant

    assert parse_contestant("tutor@crewai@gemma", "dflt").model_dump() == {
        "id": "tutor@crewai@gemma", "kind": "agent", "model": "gemma", "agent": "tutor", "framework": "crewai"}
    assert parse_contestant("coder", "dflt").id == "coder@dflt"
    assert parse_contestant("llama3.2:1b", "dflt").model_dump()["kind"] == "model"
    assert json.dumps(parse_contestant("coder@gemma", "d").model_dump())  # plain JSON for the checkpoint


def test_each_prompt_step_carries_its_own_prompt_not_all_of_them() -> None:
    from workflows.graphs.arena import dispatch, parse_spec

    prompts = [f"prompt number {k}" for k in range(5)]
    spec = {"prompts": prompts, "contestants": [GOOD, BAD]}
    state: Any = {"spec": parse_spec(spec).model_dump(), "resolved": [], "judged_by": {}, "results": {"prompt/1": {}}}
    sends = dispatch(state)
    assert isinstance(sends, list) and [s.arg["item"]["input"] for s in sends] == [p for k, p in enumerate(prompts)
                                                                                    if k != 1]
    assert all("prompts" not in s.arg["spec"] and "prompt number 0" not in json.dumps(s.arg)
               for s in sends[1:])
