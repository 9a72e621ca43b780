"""Game of 24: the exact verifier, a scripted ToT solve, DFS backtracking, and a replay of the paper's GPT-4 log."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

import pytest

from workflows.strategies import ToTConfig, ToTState, get_task
from workflows.strategies.game24 import expression_from_steps, get_current_numbers, verify_24
from workflows.strategies.tasks import Game24Task, game24_puzzles
from workflows.strategies.tot import ROOT, dfs_step, evaluate, expand, finish, init_tot, run_tot, select

from .helpers import Events, scripted

FIXTURE = Path(__file__).parent / "fixtures" / "tot_game24_gpt4_idx900.json"


@pytest.mark.parametrize(
    ("answer", "ok"),
    [
        ("(4 * 5) + (10 - 6) = 24", True),
        ("Answer: (4 * 5) - 6 + 10 = 24", True),
        ("4 × 5 + 10 − 6", True),
        ("(4 + 5) * 6 - 10 = 24", False),  # 44, not 24
        ("4 * 6 = 24", False),  # misses 5 and 10
        ("(10 - 6) * 6 + 5 - 5 + 4 - 4 = 24", False),  # extra numbers
        ("(4 * 5) + (10 - 6) + (5 - 5) = 24", False),  # uses 5 twice
        ("(4 * 5) + (10 - 6) + 0 = 24", False),  # a number not in the puzzle
        ("4 ** 2 + 5 + 6 - 10 + 7", False),
        ("-(4 - 5) * 6 * 10 / 2.5", False),  # unary minus and a float literal
        ("abs(4 * 5) + 10 - 6", False),  # function calls
        ("4 * 5 + 10 / (6 - 6)", False),  # division by zero
        ("", False),
        (None, False),
    ],
)
def test_exact_verifier(answer: str | None, ok: bool) -> None:
    assert verify_24(answer, "4 5 6 10") is ok


def test_verifier_uses_exact_fractions() -> None:
    assert verify_24("8 / (3 - 8 / 3)", "3 3 8 8")
    assert not verify_24("8 / (3 - 8 / 3.0)", "3 3 8 8")


def test_repo_parsing_and_step_rebuild() -> None:
    assert get_current_numbers("4 + 5 = 9 (left: 6 9 10)\n") == "6 9 10"
    assert get_current_numbers("4 5 6 10") == "4 5 6 10"
    steps = "4 + 5 = 9 (left: 6 9 10)\n6 + 9 = 15 (left: 10 15)\n10 / 15 = 0.666 (left: 0.666 15)\n"
    assert expression_from_steps("4 5 6 10", steps) is None  # does not end at 24
    steps = "8 / 3 = 2.667 (left: 2.667 3 8)\n3 - 2.667 = 0.333 (left: 0.333 8)\n8 / 0.333 = 24 (left: 24)\n"
    rebuilt = expression_from_steps("3 3 8 8", steps)
    assert rebuilt == "8 / (3 - (8 / 3))" and verify_24(rebuilt, "3 3 8 8")


def test_puzzles_load_from_the_package() -> None:
    puzzles = game24_puzzles()
    assert len(puzzles) == 1362 and puzzles[0] == "1 1 4 6" and puzzles[900] == "4 5 6 10"
    assert get_task("game24", index=900).question == "4 5 6 10"
    with pytest.raises(ValueError):
        get_task("game24", puzzle="1 2 3")


Mode = Literal["auto", "free", "choice"]


def g24_propose(numbers: str, lines: list[str]) -> dict[str, str]:
    return {"pattern": rf"Input: {re.escape(numbers)}\nPossible next steps:\n\Z", "response": "\n".join(lines)}


def g24_value(numbers: str, verdicts: list[str]) -> dict[str, Any]:
    return {"pattern": rf"\n{re.escape(numbers)}\n\Z", "responses": [f"{numbers}\nthinking\n{v}" for v in verdicts]}


async def test_bfs_solves_a_scripted_puzzle_and_the_verifier_checks_it() -> None:
    rules = [
        g24_propose("1 2 3 4", ["1 + 2 = 3 (left: 3 3 4)", "2 * 3 = 6 (left: 1 4 6)"]),
        g24_propose("3 3 4", ["3 + 3 = 6 (left: 4 6)"]),
        g24_propose("1 4 6", ["1 + 4 = 5 (left: 5 6)"]),
        g24_propose("4 6", ["4 * 6 = 24 (left: 24)"]),
        g24_propose("5 6", ["5 * 6 = 30 (left: 30)"]),
        {"pattern": r"Steps:1 \+ 2.*\(left: 24\)\n\Z", "response": "Answer: (3 + 3) * 4 = 24"},  # wrong numbers
        g24_value("3 3 4", ["sure"]),
        g24_value("1 4 6", ["likely"]),
        g24_value("4 6", ["sure"]),
        g24_value("5 6", ["likely"]),
        g24_value("24", ["sure"]),
        g24_value("30", ["impossible"]),
        {"pattern": r"Answer: \(3 \+ 3\) \* 4 = 24\nJudge:\Z", "response": "sure"},
    ]
    paper = {"verify_steps": False, "constrained_verdicts": False}
    gateway, _ = scripted(rules)
    task = get_task("game24", puzzle="1 2 3 4")
    result = await run_tot(task, gateway, ToTConfig(breadth=1, n_evaluate=1, **paper))
    state = ToTState.model_validate(result.trace)
    best = state.nodes[state.best_id or ""]
    assert best.text == "Answer: (3 + 3) * 4 = 24" and best.depth == 4
    # the model's final expression uses 3 twice and drops 1 and 2: the exact verifier rejects it
    assert result.answer == "(3 + 3) * 4 = 24" and result.verified is False
    # the three steps themselves reach 24, and the rebuilt expression verifies
    rebuilt = task.answer_from_state(state.nodes[best.parent_id or ""].state)
    assert rebuilt == "4 * (3 + (1 + 2)) = 24" and task.verify(rebuilt) is True

    # with T = 3 (no answer step) the answer is rebuilt from the steps exactly
    gateway, _ = scripted(rules)
    result = await run_tot(task, gateway, ToTConfig(breadth=1, n_evaluate=1, depth=3, **paper))
    assert result.answer == "4 * (3 + (1 + 2)) = 24" and result.verified is True

    # verifying steps (the default) prunes the wrong answer line unvalued; the steps' answer wins
    gateway, backend = scripted(rules)
    result = await run_tot(task, gateway, ToTConfig(breadth=1, n_evaluate=1))
    state = ToTState.model_validate(result.trace)
    wrong = next(n for n in state.nodes.values() if n.text.startswith("Answer:"))
    assert wrong.valid is False and wrong.value is None and not wrong.kept
    assert wrong.invalid_reason == "(3 + 3) * 4 uses 3 3 4, not 1 2 3 4"
    assert not any("Judge:" in p for p in backend.prompts)
    assert result.answer == "4 * (3 + (1 + 2)) = 24" and result.verified is True


async def test_dfs_backtracks_from_a_leaf_the_verifier_values_impossible() -> None:
    rules = [
        g24_propose("1 2 3 4", ["1 + 2 = 3 (left: 3 3 4)", "2 * 3 = 6 (left: 1 4 6)"]),
        g24_propose("3 3 4", ["3 + 3 = 6 (left: 4 6)"]),
        g24_propose("4 6", ["4 + 6 = 10 (left: 10)", "4 * 6 = 24 (left: 24)"]),
        g24_value("3 3 4", ["sure"]),
        g24_value("1 4 6", ["likely"]),
        g24_value("4 6", ["sure"]),
        g24_value("10", ["sure"]),  # the model would be wrong; it is never asked: one number left is exact
        g24_value("24", ["likely"]),
    ]
    gateway, backend = scripted(rules)
    task = get_task("game24", puzzle="1 2 3 4")
    events = Events()
    state = init_tot(task, ToTConfig(search="dfs", depth=3, n_evaluate=1, value_threshold=1.0))
    while not state.done:
        state = await dfs_step(state, task, gateway, events)
    state = finish(state, task)
    leaf10 = next(n for n in state.nodes.values() if n.text == "4 + 6 = 10 (left: 10)")
    leaf24 = next(n for n in state.nodes.values() if n.text == "4 * 6 = 24 (left: 24)")
    assert leaf10.votes == ["impossible (exact)"] and leaf10.value == 0.001 and not leaf10.kept
    assert leaf24.votes == ["sure (exact)"] and leaf24.value == 20.0
    assert not any("(left: 10)" in p or "(left: 24)" in p for p in backend.prompts if "Evaluate" in p)
    assert state.stop_reason == "solution"
    assert state.answer == "4 * (3 + (1 + 2)) = 24" and state.verified is True
    # the unvisited branch 2 * 3 = 6 stays on the stack, evaluated but never expanded
    assert state.stack == ["2"] and state.nodes["2"].value == 1.0


# --------------------------------------------------------------------------- replay of the paper's log


def _split_value(value: float, n: int) -> list[str]:
    """Verdict outputs whose ToT value (sure 20, likely 1, impossible 0.001) sums to `value`."""
    for sure in range(n + 1):
        for likely in range(n + 1 - sure):
            for impossible in range(n + 1 - sure - likely):
                if abs(20 * sure + likely + 0.001 * impossible - value) < 1e-9:
                    rest = n - sure - likely - impossible
                    return ["sure"] * sure + ["likely"] * likely + ["impossible"] * impossible + ["unclear"] * rest
    raise AssertionError(f"value {value} is not a sum of {n} verdicts")


def replay_rules(log: dict[str, Any], task: Game24Task, n_evaluate: int) -> list[dict[str, Any]]:
    """Rules answering each propose prompt with the logged proposals and each value prompt with
    verdicts that sum to the logged value (first occurrence; later ones must come from the cache)."""
    rules: list[dict[str, Any]] = []
    seen_values: dict[str, float] = {}
    proposals: dict[str, list[str]] = {}  # one prompt may recur (same numbers left): answers in turn
    for step in log["steps"]:
        for parent in step["ys"]:
            lines = [y[len(parent) :].rstrip("\n") for y in step["new_ys"] if y.startswith(parent)]
            proposals.setdefault(task.propose_prompt(parent, 5), []).append("\n".join(lines))
        seen_here: set[str] = set()
        for y, v in zip(step["new_ys"], step["values"], strict=True):
            if y in seen_here:
                continue
            seen_here.add(y)
            prompt = task.value_prompt(y)
            if prompt in seen_values:
                assert seen_values[prompt] == v  # the repo's value cache
                continue
            seen_values[prompt] = v
            if task.static_value(y) is not None:
                continue
            outputs = [f"...\n{verdict}" for verdict in _split_value(v, n_evaluate)]
            rules.append({"pattern": re.escape(prompt[-60:]) + r"\Z", "responses": outputs})
    rules += [{"pattern": re.escape(p[-60:]) + r"\Z", "responses": r} for p, r in proposals.items()]
    return rules


@pytest.mark.parametrize(
    ("capabilities", "mode"),
    [(None, "auto"), (["completion", "json_schema"], "free")],  # auto on a model that cannot constrain; free anywhere
)
async def test_replay_of_the_papers_gpt4_log_selects_the_same_states(
    capabilities: list[str] | None, mode: Mode
) -> None:
    log = json.loads(FIXTURE.read_text(encoding="utf-8"))
    task = get_task("game24", index=log["idx"])
    assert isinstance(task, Game24Task) and task.question == log["steps"][0]["x"]
    gateway, _ = scripted(replay_rules(log, task, n_evaluate=3), capabilities=capabilities)
    paper = ToTConfig(
        breadth=5, n_evaluate=3, temperature=0.7, verify_steps=False, constrained_verdicts=False, propose_mode=mode
    )
    state = init_tot(task, paper)
    assert state.depth_limit == 4
    for step in log["steps"]:
        state = await expand(state, task, gateway)
        assert [state.nodes[i].state for i in state.candidates] == step["new_ys"]
        state = await evaluate(state, task, gateway)
        assert [state.nodes[i].value for i in state.candidates] == pytest.approx(step["values"])
        candidates = list(state.candidates)
        state = select(state)
        assert [candidates.index(i) for i in state.frontier] == [step["new_ys"].index(y) for y in step["select_new_ys"]]
        assert [state.nodes[i].state for i in state.frontier] == step["select_new_ys"]
    state = finish(state, task)
    assert state.answer == "(4 * 5) + (10 - 6) = 24" and state.verified is True
    # the repo's own verdicts on the five final states agree with the exact verifier
    assert [task.check(state.nodes[i].state) for i in state.frontier] == [bool(i["r"]) for i in log["infos"]]
    assert sum(1 for n in state.nodes.values() if n.id != ROOT) == sum(len(s["new_ys"]) for s in log["steps"])
    assert state.errors == [] and state.pruned_invalid == 0 and state.propose_mode == "free"
    assert all(n.proposer == "model" for n in state.nodes.values() if n.id != ROOT)


async def test_replay_with_verified_steps_prunes_the_logs_invalid_states() -> None:
    """GPT-4's own log keeps invalid states; verifying steps changes the third selection, not the answer."""
    log = json.loads(FIXTURE.read_text(encoding="utf-8"))
    task = get_task("game24", index=log["idx"])
    gateway, backend = scripted(replay_rules(log, task, n_evaluate=3))
    state = init_tot(task, ToTConfig(breadth=5, n_evaluate=3, depth=3, constrained_verdicts=False))
    selections = []
    for _ in range(3):
        state = await expand(state, task, gateway)
        state = await evaluate(state, task, gateway)
        state = select(state)
        selections.append([state.nodes[i].state for i in state.frontier])
    assert selections[:2] == [step["select_new_ys"] for step in log["steps"][:2]]
    invalid = {n.text: n.invalid_reason for n in state.nodes.values() if n.valid is False}
    assert invalid == {
        "5 * 4 = 20 (left: 20)": "the numbers left are 16 20, not 20",
        "4 * 5 = 20 (left: 20)": "the numbers left are 16 20, not 20",
        "15 - 10 = 5 (left: 5 10)": "the numbers left are 5, not 5 10",
        "15 / 10 = 1.5 (left: 1.5 10)": "the numbers left are 3/2, not 1.5 10",
        "10 - 15 = -5 (left: -5 15)": "the numbers left are -5, not -5 15",
        "10 / 15 = 0.666 (left: 0.666 15)": "the numbers left are 2/3, not 0.666 15",
        "10 - 7 = 3 (left: 3 7)": "the numbers left are 3, not 3 7",
    }
    # three of the log's five third-step picks are invalid: its two solved states stay first; every third step
    # leaves one number, so the verifier values them exactly (24 sure, anything else impossible), no model asked
    last = [y.rstrip("\n").split("\n")[-1] for y in selections[2]]
    assert last[:2] == ["4 + 20 = 24 (left: 24)", "10 + 14 = 24 (left: 24)"] and len(last) == 5
    third = [n for n in state.nodes.values() if n.depth == 3 and n.valid]
    assert third and all(
        n.votes == [f"{'sure' if n.text.endswith('(left: 24)') else 'impossible'} (exact)"] * 3 for n in third
    )
    assert selections[2][:2] == log["steps"][2]["select_new_ys"][:2]
    # no value prompt was sent for an invalid state ('20' alone is never asked about)
    assert not any(p.endswith("\n20\n") for p in backend.prompts)
    state = finish(state, task)
    assert state.answer == "(10 - 6) + (4 * 5) = 24"
    assert state.verified is True and state.errors == []


def test_extraction_without_an_answer_line() -> None:
    task = get_task("game24", puzzle="4 5 6 10")
    assert task.extract(" (4 * 5) + (10 - 6) = 24\nInput: 1 2 3 4") == "(4 * 5) + (10 - 6) = 24"
    steps = "4 * 5 = 20 (left: 6 10 20)\n10 - 6 = 4 (left: 4 20)\n4 + 20 = 24 (left: 24)\n"
    assert task.extract(steps) == "(10 - 6) + (4 * 5) = 24" and task.verify(task.extract(steps)) is True
    assert task.extract("no idea") is None
