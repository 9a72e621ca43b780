"""Strategy steps done by personas: who proposed each thought, who valued it, who drew each vote."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from agents.llm import Gateway
from agents.llm.backends.scripted import ScriptedBackend
from workflows.strategies import CoTSCConfig, DirectConfig, ToTConfig, get_task, run_strategy
from workflows.strategies.tot import ROOT

TUTOR, CODER, EVALUATOR = "GenAI tutor", "Python developer", "strict evaluator"
QUESTION = "What is 2 + 3?"


def gateway(rules: list[dict[str, Any]]) -> tuple[Gateway, ScriptedBackend]:
    backend = ScriptedBackend(rules)
    return Gateway(backend), backend


async def test_a_mixed_framework_tree_records_who_proposed_and_who_valued_each_thought() -> None:
    gw, backend = gateway(
        [
            {"pattern": f"{TUTOR}.*Propose up to", "response": "Answer: 6\nAnswer: 5"},
            {"pattern": f"{EVALUATOR}.*Steps so far:\nAnswer: 5\n", "response": "2 + 3 is 5.\nsure"},
            {"pattern": f"{EVALUATOR}.*Steps so far:\nAnswer: 6\n", "response": "2 + 3 is not 6.\nimpossible"},
        ]
    )
    events: list[tuple[str, dict[str, Any]]] = []
    config = ToTConfig(proposer="tutor@crewai", evaluator="evaluator@autogen", breadth=1, depth=1, n_evaluate=1)
    result = await run_strategy(get_task("generic", question=QUESTION), gw, config, lambda k, d: events.append((k, d)))
    assert result.answer == "5"
    nodes = {n["id"]: n for n in result.trace["nodes"].values() if n["id"] != ROOT}
    assert [(n["text"], n["persona"], n["framework"], n["valued_by"]) for n in nodes.values()] == [
        ("Answer: 6", "tutor", "crewai", "evaluator@autogen"),
        ("Answer: 5", "tutor", "crewai", "evaluator@autogen"),
    ]
    assert [n["kept"] for n in nodes.values()] == [False, True]
    expand = next(d for k, d in events if k == "tot.expand")
    assert expand["personas"] == ["tutor", "tutor"] and expand["frameworks"] == ["crewai", "crewai"]
    assert {d["valued_by"] for k, d in events if k == "tot.evaluate"} == {"evaluator@autogen"}
    # the proposer ran as a CrewAI crew, the evaluator as an AutoGen agent, on the one scripted model
    assert "Current Task:" in backend.prompts[0] and "Current Task:" not in backend.prompts[1]
    assert result.usage.calls == 3 and result.usage.prompt_tokens > 0


async def test_a_persona_proposer_writes_free_steps_where_the_bare_model_would_pick_legal_ones() -> None:
    rules = [{"pattern": TUTOR, "response": "4 + 5 = 9 (left: 6 9 10)"}, {"pattern": ".", "response": "likely"}]
    gw, _ = gateway(rules)
    config = ToTConfig(proposer="tutor", breadth=1, depth=1, n_evaluate=1)
    result = await run_strategy(get_task("game24", puzzle="4 5 6 10"), gw, config)
    assert result.trace["propose_mode"] == "free"
    with pytest.raises(ValidationError, match="propose_mode 'choice' picks steps under constrained decoding"):
        ToTConfig(proposer="tutor", propose_mode="choice")


async def test_each_vote_names_the_persona_that_drew_it() -> None:
    gw, _ = gateway(
        [
            {"pattern": TUTOR, "responses": ["2 + 3 = 5.\nAnswer: 5", "Answer: 5"]},
            {"pattern": CODER, "response": "print(2 + 3) prints 6.\nAnswer: 6"},
        ]
    )
    events: list[tuple[str, dict[str, Any]]] = []
    config = CoTSCConfig(n=3, samplers=["tutor@crewai", "coder@crewai"], early_stop=False, max_concurrency=1)
    result = await run_strategy(get_task("generic", question=QUESTION), gw, config, lambda k, d: events.append((k, d)))
    assert result.answer == "5" and result.trace["vote"]["agreement"] == pytest.approx(2 / 3)
    assert result.trace["vote"]["voters"] == {"5": ["tutor@crewai #0", "tutor@crewai #2"], "6": ["coder@crewai #1"]}
    samples = [(d["index"], d["persona"], d["framework"], d["answer"]) for k, d in events if k == "cot_sc.sample"]
    assert samples == [(0, "tutor", "crewai", "5"), (1, "coder", "crewai", "6"), (2, "tutor", "crewai", "5")]


async def test_a_persona_answers_a_single_call_strategy() -> None:
    gw, _ = gateway([{"pattern": TUTOR, "response": "Two plus three.\nAnswer: 5"}])
    result = await run_strategy(get_task("generic", question=QUESTION), gw, DirectConfig(proposer="tutor@autogen"))
    assert (result.answer, result.trace["persona"], result.trace["framework"]) == ("5", "tutor", "autogen")
    assert result.usage.calls == 1


def test_a_config_names_real_personas() -> None:
    assert CoTSCConfig(samplers=["tutor", "coder@crewai"], evaluator="evaluator").model_dump()["samplers"] == [
        "tutor@crewai",
        "coder@crewai",
    ]
    with pytest.raises(ValidationError, match="unknown persona 'oracle'"):
        CoTSCConfig(samplers=["oracle"])
