"""ToT's choice mode: the model picks among exactly computed legal steps, the program does the arithmetic.

The scripted backend ignores the JSON schema, so a scripted 'choice' outside the enum shows what
the gateway's schema check does with it (on real backends the grammar makes it impossible).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from agents.llm.gateway import Gateway
from agents.llm.types import ModelInfo
from workflows.strategies import ToTConfig, ToTState, get_task
from workflows.strategies.tot import ROOT, expand, init_tot, run_tot

from .helpers import Events, RecordingBackend, scripted

PUZZLE = "4 5 6 10"


def choose(numbers: str, steps: list[str]) -> dict[str, Any]:
    """The propose prompt for `numbers`, answered with one chosen step per call, in turn."""
    return {
        "pattern": rf"Input: {re.escape(numbers)}\nPossible next steps:\n\Z",
        "responses": [json.dumps({"step": s}) for s in steps],
    }


def value(numbers: str, verdict: str) -> dict[str, Any]:
    return {"pattern": rf"\n{re.escape(numbers)}\n\Z", "response": f"{numbers}\nthinking\n{verdict}"}


JUDGE_SURE: dict[str, Any] = {"pattern": r"Judge:\Z", "response": '{"verdict": "sure"}'}
ANY_VALUE: dict[str, Any] = {"pattern": r"Evaluate if given numbers can reach 24", "response": "fine\nlikely"}
CHOICE: dict[str, Any] = {"propose_mode": "choice", "n_evaluate": 1}


async def test_k_distinct_choices_each_from_an_enum_without_the_earlier_ones() -> None:
    picks = ["4 * 5 = 20 (left: 6 10 20)", "10 - 6 = 4 (left: 4 4 5)", "4 + 5 = 9 (left: 6 9 10)"]
    gateway, backend = scripted([choose(PUZZLE, picks), ANY_VALUE])
    task = get_task("game24", puzzle=PUZZLE)
    events = Events()
    state = await expand(init_tot(task, ToTConfig(n_propose=3, **CHOICE)), task, gateway, events)
    children = [state.nodes[i] for i in state.candidates]
    assert [c.text for c in children] == picks and all(c.proposer == "choice" and c.valid for c in children)
    enums = [s["properties"]["step"]["enum"] for s in backend.schemas if s is not None]
    legal = task.legal_steps("")
    assert len(enums) == 3 and enums[0] == legal  # all 30 legal first steps
    assert enums[1] == [s for s in legal if s != picks[0]] and enums[2] == [s for s in enums[1] if s != picks[1]]
    assert [o.seed for o in backend.options] == [0, 1, 2] and all(o.temperature == 0.7 for o in backend.options)
    assert events.of("tot.expand") == [
        {"parent_id": ROOT, "node_ids": ["1", "2", "3"], "texts": picks, "proposers": ["choice"] * 3}
    ]
    assert state.propose_mode == "choice" and state.usage.calls == 3


async def test_a_choice_outside_the_legal_steps_never_becomes_a_node() -> None:
    """A repeat or an impossible step fails the gateway's schema check: the pick is lost, the tree stays valid."""
    answers = ["4 * 5 = 20 (left: 6 10 20)", "4 * 5 = 20 (left: 6 10 20)", "10 / 6 = 30 (left: 30 10 10)"]
    gateway, _ = scripted([choose(PUZZLE, answers), ANY_VALUE])
    task = get_task("game24", puzzle=PUZZLE)
    result = await run_tot(task, gateway, ToTConfig(n_propose=3, depth=1, **CHOICE))
    state = ToTState.model_validate(result.trace)
    proposals = [n for n in state.nodes.values() if n.id != ROOT]
    assert [n.text for n in proposals] == ["4 * 5 = 20 (left: 6 10 20)"]
    assert all(n.valid is True and n.invalid_reason is None for n in proposals) and state.pruned_invalid == 0
    assert result.usage.failed_calls == 2 and len(state.errors) == 2
    assert all("does not match the schema" in e for e in state.errors)


def solving_rules() -> list[dict[str, Any]]:
    return [
        choose(PUZZLE, ["4 * 5 = 20 (left: 6 10 20)"]),
        choose("6 10 20", ["10 - 6 = 4 (left: 4 20)"]),
        choose("4 20", ["4 + 20 = 24 (left: 24)"]),
        value("6 10 20", "likely"),
        value("4 20", "sure"),
        value("24", "sure"),
        JUDGE_SURE,
    ]


@pytest.mark.parametrize("search", ["bfs", "dfs"])
async def test_chosen_steps_solve_the_puzzle_and_the_program_writes_the_verified_answer(search: str) -> None:
    gateway, backend = scripted(solving_rules())
    task = get_task("game24", puzzle=PUZZLE)
    result = await run_tot(task, gateway, ToTConfig(search=search, n_propose=1, breadth=1, **CHOICE))  # type: ignore[arg-type]
    state = ToTState.model_validate(result.trace)
    assert result.answer == "(10 - 6) + (4 * 5) = 24" and result.verified is True
    best = state.nodes[state.best_id or ""]
    path = []
    node = best
    while node.id != ROOT:
        path.append(node)
        node = state.nodes[node.parent_id or ROOT]
    assert [n.proposer for n in reversed(path)] == ["choice", "choice", "choice", "program"]
    assert best.text == "Answer: (10 - 6) + (4 * 5) = 24" and best.valid is True
    # three picks (the answer needs no call), three step values, one verdict on the answer
    assert sum(1 for s in backend.schemas if s and "step" in s["properties"]) == 3
    assert result.usage.calls == 6 and state.errors == []  # the last step leaves 24: valued exactly, no call


async def test_few_legal_steps_are_all_taken_without_a_call() -> None:
    """With two numbers left there are at most five steps: asking for five distinct picks needs no model."""
    gateway, backend = scripted([ANY_VALUE])
    task = get_task("game24", puzzle=PUZZLE)
    state = init_tot(task, ToTConfig(n_propose=5, **CHOICE))
    state.nodes[ROOT].state = "4 * 5 = 20 (left: 6 10 20)\n10 - 6 = 4 (left: 4 20)\n"
    state = await expand(state, task, gateway)
    texts = [state.nodes[i].text for i in state.candidates]
    assert texts == task.legal_steps(state.nodes[ROOT].state) and len(texts) == 5
    assert {state.nodes[i].proposer for i in state.candidates} == {"program"} and backend.prompts == []


class OllamaLike(RecordingBackend):
    """Reports itself as Ollama, which constrains output via `format` whatever its model lists."""

    async def model_info(self, model: str) -> ModelInfo:
        return ModelInfo(name=model, backend="ollama", capabilities=list(self.capabilities))


@pytest.mark.parametrize(
    ("kind", "capabilities", "mode"),
    [
        (RecordingBackend, ["completion", "json_schema"], "choice"),  # the embedded base model
        (OllamaLike, ["completion"], "choice"),  # an Ollama model without tools
        (RecordingBackend, ["completion", "json_schema", "tools"], "free"),  # a capable model
        (OllamaLike, ["completion", "tools"], "free"),
        (RecordingBackend, None, "free"),  # the scripted backend cannot constrain a choice: the paper's mode
    ],
)
async def test_auto_chooses_by_what_the_model_can_do(
    kind: type[RecordingBackend], capabilities: list[str] | None, mode: str
) -> None:
    backend = kind([choose(PUZZLE, ["4 + 5 = 9 (left: 6 9 10)"]), ANY_VALUE], capabilities=capabilities)
    task = get_task("game24", puzzle=PUZZLE)
    state = await expand(init_tot(task, ToTConfig(n_propose=1, n_evaluate=1)), task, Gateway(backend))
    assert state.propose_mode == mode
    if mode == "choice":
        assert [state.nodes[i].proposer for i in state.candidates] == ["choice"]
    else:  # asked for free text, unconstrained: the scripted JSON reply is no step, so the verifier prunes it
        assert state.candidates == [] and state.pruned_invalid == 1 and backend.schemas == [None]


async def test_auto_on_a_task_without_legal_steps_is_free_and_choice_there_is_refused() -> None:
    gateway, _ = scripted([{"pattern": "Possible next steps", "response": "A\nB"}], capabilities=["json_schema"])
    task = get_task("generic", question="Why is the sky blue?")
    state = await expand(init_tot(task, ToTConfig(n_evaluate=1)), task, gateway)
    assert state.propose_mode == "free" and [state.nodes[i].proposer for i in state.candidates] == ["model"] * 2
    with pytest.raises(ValueError, match="propose_mode 'choice' needs a task that lists its legal steps"):
        init_tot(task, ToTConfig(propose_mode="choice"))


async def test_free_mode_on_a_model_that_could_choose_is_the_papers() -> None:
    rules = [
        {"pattern": rf"Input: {PUZZLE}\nPossible next steps:\n\Z", "response": "4 + 5 = 9 (left: 6 9 10)"},
        ANY_VALUE,
    ]
    gateway, backend = scripted(rules, capabilities=["completion", "json_schema"])
    task = get_task("game24", puzzle=PUZZLE)
    state = await expand(init_tot(task, ToTConfig(propose_mode="free", n_evaluate=1)), task, gateway)
    assert state.propose_mode == "free" and backend.schemas == [None]
    assert [(state.nodes[i].text, state.nodes[i].proposer) for i in state.candidates] == [
        ("4 + 5 = 9 (left: 6 9 10)", "model")
    ]
