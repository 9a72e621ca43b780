"""Verified thoughts: invalid Game of 24 steps pruned before valuing, verdicts summed by count, and
verdicts finished by constrained decoding when the free text names none."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from workflows.strategies import ToTConfig, ToTState, get_task
from workflows.strategies.tasks import verdict_value
from workflows.strategies.tot import ROOT, dfs_step, evaluate, expand, init_tot, run_tot

from .helpers import Events, scripted

PUZZLE = "4 5 6 10"
PROPOSALS = [
    "4 + 5 = 9 (left: 6 9 10)",  # valid
    "10 / 6 = 30 (left: 30 10 10)",  # the user's report: wrong arithmetic
    "6 * 7 = 42 (left: 4 5 10 42)",  # 7 is not a number of the puzzle
    "10 - 4 = 6 (left: 5 6)",  # drops a number
    "10 - 6 = 4 (left: 4 4 5)",  # valid
]
REASONS = {
    "10 / 6 = 30 (left: 30 10 10)": "10 / 6 = 5/3, not 30",
    "6 * 7 = 42 (left: 4 5 10 42)": "7 is not among the numbers left (4 5 6 10)",
    "10 - 4 = 6 (left: 5 6)": "the numbers left are 5 6 6, not 5 6",
}
VALUE_PREFIX = "Evaluate if given numbers can reach 24"


def propose(numbers: str, lines: list[str]) -> dict[str, str]:
    return {"pattern": rf"Input: {re.escape(numbers)}\nPossible next steps:\n\Z", "response": "\n".join(lines)}


SAYS_SURE: dict[str, Any] = {"pattern": rf"^{VALUE_PREFIX}", "response": "looks good\nsure"}


def value_prompts(prompts: list[str]) -> list[str]:
    return [p for p in prompts if p.startswith(VALUE_PREFIX)]


async def test_invalid_proposals_are_pruned_with_reasons_and_never_valued() -> None:
    gateway, backend = scripted([propose(PUZZLE, PROPOSALS), SAYS_SURE])
    task = get_task("game24", puzzle=PUZZLE)
    events = Events()
    result = await run_tot(task, gateway, ToTConfig(breadth=5, depth=1, n_evaluate=2), emit=events)
    state = ToTState.model_validate(result.trace)
    nodes = {n.text: n for n in state.nodes.values() if n.id != ROOT}
    for text, reason in REASONS.items():
        node = nodes[text]
        assert (node.valid, node.invalid_reason, node.value, node.kept) == (False, reason, None, False)
        assert node.pruned_reason == f"invalid: {reason}"
    for text in ("4 + 5 = 9 (left: 6 9 10)", "10 - 6 = 4 (left: 4 4 5)"):
        assert (nodes[text].valid, nodes[text].value, nodes[text].kept) == (True, 40.0, True)
    # two samples for each of the two valid states, none for the three invalid ones
    assert len(value_prompts(backend.prompts)) == 2 * 2
    assert state.pruned_invalid == 3 and result.usage.calls == 1 + 4
    assert [(e["text"], e["reason"]) for e in events.of("tot.prune")] == list(REASONS.items())
    assert all(e["parent_id"] == ROOT for e in events.of("tot.prune"))
    assert events.of("tot.expand")[0]["texts"] == ["4 + 5 = 9 (left: 6 9 10)", "10 - 6 = 4 (left: 4 4 5)"]
    assert events.of("tot.finish")[0]["pruned_invalid"] == 3


async def test_a_search_whose_every_proposal_is_invalid_says_so() -> None:
    gateway, backend = scripted([propose(PUZZLE, [PROPOSALS[1], PROPOSALS[2]]), SAYS_SURE])
    task = get_task("game24", puzzle=PUZZLE)
    result = await run_tot(task, gateway, ToTConfig(breadth=2, n_evaluate=1))
    state = ToTState.model_validate(result.trace)
    assert state.stop_reason == "no_valid_steps" and result.answer is None and result.verified is False
    assert value_prompts(backend.prompts) == [] and result.usage.calls == 1
    events = Events()
    state = init_tot(task, ToTConfig(search="dfs", n_evaluate=1))
    gateway, _ = scripted([propose(PUZZLE, [PROPOSALS[1]]), SAYS_SURE])
    state = await dfs_step(state, task, gateway, events)
    assert events.of("tot.backtrack") == [{"from_id": ROOT, "to_id": None, "reason": "every proposed step was invalid"}]


async def test_without_verify_steps_the_paper_keeps_and_values_them() -> None:
    gateway, backend = scripted([propose(PUZZLE, PROPOSALS), SAYS_SURE])
    task = get_task("game24", puzzle=PUZZLE)
    config = ToTConfig(breadth=5, depth=1, n_evaluate=2, verify_steps=False)
    state = ToTState.model_validate((await run_tot(task, gateway, config)).trace)
    assert len(value_prompts(backend.prompts)) == 5 * 2
    impossible = next(n for n in state.nodes.values() if n.text == "10 / 6 = 30 (left: 30 10 10)")
    assert (impossible.valid, impossible.value, impossible.kept) == (None, 40.0, True)  # what the user saw
    assert state.pruned_invalid == 0


async def test_dfs_never_pushes_an_invalid_step() -> None:
    gateway, backend = scripted([propose(PUZZLE, PROPOSALS), SAYS_SURE, {"pattern": "Input:", "response": ""}])
    task = get_task("game24", puzzle=PUZZLE)
    state = init_tot(task, ToTConfig(search="dfs", depth=2, n_evaluate=1))
    state = await dfs_step(state, task, gateway)
    assert [state.nodes[i].text for i in state.stack] == ["10 - 6 = 4 (left: 4 4 5)", "4 + 5 = 9 (left: 6 9 10)"]
    assert len(value_prompts(backend.prompts)) == 2 and state.pruned_invalid == 3


async def test_the_final_answer_step_is_verified_and_judged_under_a_grammar() -> None:
    rules = [
        propose(PUZZLE, ["4 * 5 = 20 (left: 6 10 20)"]),
        propose("6 10 20", ["10 - 6 = 4 (left: 4 20)"]),
        propose("4 20", ["4 + 20 = 24 (left: 24)"]),
        {
            "pattern": r"Steps:4 \* 5 = 20.*\(left: 24\)\n\Z",
            "response": "Answer: (4 + 5) * 6 - 10 = 24\nAnswer: 4 * 6 = 24\nAnswer: (4 * 5) + (10 - 6) = 24",
        },
        {"pattern": r"Judge:\Z", "response": '{"verdict": "sure"}'},
        SAYS_SURE,
    ]
    gateway, backend = scripted(rules)
    task = get_task("game24", puzzle=PUZZLE)
    events = Events()
    result = await run_tot(task, gateway, ToTConfig(breadth=1, n_evaluate=1), emit=events)
    state = ToTState.model_validate(result.trace)
    assert [(e["text"], e["reason"]) for e in events.of("tot.prune")] == [
        ("Answer: (4 + 5) * 6 - 10 = 24", "(4 + 5) * 6 - 10 = 44, not 24"),
        ("Answer: 4 * 6 = 24", "4 * 6 uses 4 6, not 4 5 6 10"),
    ]
    best = state.nodes[state.best_id or ""]
    assert best.text == "Answer: (4 * 5) + (10 - 6) = 24" and best.valid is True and best.depth == 4
    assert result.answer == "(4 * 5) + (10 - 6) = 24" and result.verified is True
    # only the valid answer was judged, straight through one grammar-constrained call over sure/impossible
    judged = [(p, s) for p, s in zip(backend.prompts, backend.schemas, strict=True) if p.endswith("Judge:")]
    assert len(judged) == 1 and judged[0][1] is not None
    assert judged[0][1]["properties"]["verdict"]["enum"] == ["sure", "impossible"]
    assert (best.value, best.votes, best.constrained) == (20.0, ["sure"], 1)


def value_rule(numbers: str, output: str) -> dict[str, str]:
    return {"pattern": rf"\n{re.escape(numbers)}\n\Z", "response": output}


CONSTRAINED_RULES = [
    propose(PUZZLE, ["10 - 6 = 4 (left: 4 4 5)", "4 + 5 = 9 (left: 6 9 10)", "5 + 6 = 11 (left: 4 10 11)"]),
    # the grammar-constrained continuations of the two samples that named no verdict
    {"pattern": r"\n4 4 5\n4 \* 5 \+ 4 = 24\n\Z", "response": '{"verdict": "sure"}'},
    {"pattern": r"\n4 10 11\nhmm\n\Z", "response": "sure, I think"},  # a backend that breaks the grammar
    value_rule("4 4 5", "4 * 5 + 4 = 24"),
    value_rule("6 9 10", "6 + 9 + 10 = 25\nlikely"),
    value_rule("4 10 11", "hmm"),
]


async def test_a_sample_without_a_verdict_gets_one_by_constrained_decoding() -> None:
    gateway, backend = scripted(CONSTRAINED_RULES)
    task = get_task("game24", puzzle=PUZZLE)
    state = init_tot(task, ToTConfig(breadth=3, depth=1, n_evaluate=1))
    state = await evaluate(await expand(state, task, gateway), task, gateway)
    got = {state.nodes[i].text.split(" (")[0]: state.nodes[i] for i in state.candidates}
    assert (got["10 - 6 = 4"].value, got["10 - 6 = 4"].votes, got["10 - 6 = 4"].constrained) == (20.0, ["sure"], 1)
    assert (got["4 + 5 = 9"].value, got["4 + 5 = 9"].constrained) == (1.0, 0)  # its own 'likely' stands
    assert (got["5 + 6 = 11"].value, got["5 + 6 = 11"].votes) == (0.0, ["?"])  # the failed call scores 0
    assert any("did not return JSON" in e for e in state.errors)
    schemas = [s for s in backend.schemas if s is not None]
    assert [s["properties"]["verdict"]["enum"] for s in schemas] == [["sure", "likely", "impossible"]] * 2
    # the constrained prompt is the value prompt plus the sample's own reasoning
    constrained = [p for p, s in zip(backend.prompts, backend.schemas, strict=True) if s is not None]
    assert constrained[0] == task.value_prompt(got["10 - 6 = 4"].state) + "4 * 5 + 4 = 24\n"


async def test_without_constrained_verdicts_an_unparseable_sample_scores_zero() -> None:
    gateway, backend = scripted(CONSTRAINED_RULES)
    task = get_task("game24", puzzle=PUZZLE)
    state = init_tot(task, ToTConfig(breadth=3, depth=1, n_evaluate=1, constrained_verdicts=False))
    state = await evaluate(await expand(state, task, gateway), task, gateway)
    assert [state.nodes[i].value for i in state.candidates] == [0.0, 1.0, 0.0]
    assert backend.schemas == [None] * 4 and state.errors == []


async def test_a_rating_scale_task_is_never_constrained() -> None:
    rules = [
        {"pattern": "Propose", "response": "A"},
        {"pattern": "Rate from 1", "response": "I would say 7\n7"},
    ]
    gateway, backend = scripted(rules)
    task = get_task("generic", question="q", rating="scale")
    state = ToTState.model_validate((await run_tot(task, gateway, ToTConfig(depth=1, n_evaluate=1))).trace)
    assert state.nodes["1"].value == 7.0 and backend.schemas == [None, None]


@pytest.mark.parametrize("name", ["game24", "generic"])
def test_verdicts_are_summed_by_count_so_their_order_cannot_matter(name: str) -> None:
    task = get_task(name, puzzle=PUZZLE) if name == "game24" else get_task(name, question="q")
    state = "4 + 5 = 9 (left: 6 9 10)\n"
    verdicts = ["sure", "likely", "impossible", "likely", "impossible", "impossible"]
    orders = itertools.permutations(verdicts)
    values = {task.value_unwrap(state, [f"thinking\n{v}" for v in order])[0] for order in orders}
    assert values == {verdict_value(verdicts)}
    assert verdict_value(verdicts) == pytest.approx(20 + 2 * 1 + 3 * 0.001)


async def test_a_generic_task_has_no_step_verifier_and_keeps_every_proposal() -> None:
    rules = [
        {"pattern": "Propose", "response": "10 / 6 = 30 (left: 30 10 10)\nB"},
        {"pattern": "Judge", "response": "thinking\nlikely"},
    ]
    gateway, _ = scripted(rules)
    task = get_task("generic", question="Make 24 from 4 5 6 10")
    state = ToTState.model_validate((await run_tot(task, gateway, ToTConfig(depth=1, n_evaluate=1))).trace)
    assert [(n.valid, n.value) for n in state.nodes.values() if n.id != ROOT] == [(None, 1.0), (None, 1.0)]
