"""ToT BFS and DFS over scripted proposals and values, with hand-computed expectations."""

from __future__ import annotations

import json
import re

from workflows.strategies import ToTConfig, ToTState, get_task
from workflows.strategies.tot import ROOT, dfs_step, evaluate, expand, finish, init_tot, run_tot, select

from .helpers import Events, scripted


def propose(state_lines: str, output: str) -> dict[str, str]:
    """Rule for the generic propose prompt of the state whose steps are `state_lines`."""
    return {"pattern": rf"Steps so far:\n{re.escape(state_lines)}Propose", "response": output}


def value(state_lines: str, verdict: str) -> dict[str, str]:
    return {"pattern": rf"Steps so far:\n{re.escape(state_lines)}Judge", "response": f"thinking\n{verdict}"}


def texts(state: ToTState, ids: list[str]) -> list[str]:
    return [state.nodes[i].text for i in ids]


def assert_tree_complete(state: ToTState) -> None:
    for node in state.nodes.values():
        if node.id == ROOT:
            assert node.parent_id is None and node.depth == 0
            continue
        parent = state.nodes[node.parent_id or ""]
        assert node.depth == parent.depth + 1
        assert node.state == parent.state + node.text + "\n"
        assert node.value is not None  # every generated node was evaluated
        if node.kept:
            assert node.pruned_reason is None


async def test_bfs_keeps_hand_computed_states() -> None:
    rules = [
        propose("(none)\n", "A\nB\nC"),
        propose("B\n", "B1\nB2"),
        propose("A\n", "Answer: 42\nA2"),
        value("A\n", "likely"),  # 1
        value("B\n", "sure"),  # 20
        value("C\n", "impossible"),  # 0.001
        value("B\nB1\n", "likely"),  # 1
        value("B\nB2\n", "impossible"),  # 0.001
        value("A\nAnswer: 42\n", "sure"),  # 20
        value("A\nA2\n", "likely"),  # 1
    ]
    gateway, _ = scripted(rules)
    task = get_task("generic", question="What is six times seven?")
    events = Events()
    state = init_tot(task, ToTConfig(breadth=2, depth=2, n_evaluate=1))

    state = await expand(state, task, gateway, events)
    assert texts(state, state.candidates) == ["A", "B", "C"]
    state = await evaluate(state, task, gateway, events)
    assert [state.nodes[i].value for i in state.candidates] == [1.0, 20.0, 0.001]
    state = select(state, events)
    assert texts(state, state.frontier) == ["B", "A"]  # top-2 by value

    state = await expand(state, task, gateway, events)
    # B's children first: the frontier is expanded in its (value) order
    assert texts(state, state.candidates) == ["B1", "B2", "Answer: 42", "A2"]
    state = await evaluate(state, task, gateway, events)
    state = select(state, events)
    # values B1 1, B2 0.001, Answer 20, A2 1 -> Answer, then B1 before A2 (tie: generation order)
    assert texts(state, state.frontier) == ["Answer: 42", "B1"]
    assert state.done and state.stop_reason == "depth"

    state = finish(state, task, events)
    assert state.answer == "42" and state.verified is None
    assert len(state.nodes) == 1 + 3 + 4
    kept = sorted(n.text for n in state.nodes.values() if n.kept and n.id != ROOT)
    assert kept == ["A", "Answer: 42", "B", "B1"]
    assert state.nodes["3"].pruned_reason == "not selected at step 0 (rank 3)"
    assert_tree_complete(state)

    assert [e["kept_ids"] for e in events.of("tot.select")] == [["2", "1"], ["6", "4"]]
    assert [e["pruned_ids"] for e in events.of("tot.select")] == [["3"], ["7", "5"]]
    assert events.of("tot.expand")[0] == {
        "parent_id": "0",
        "node_ids": ["1", "2", "3"],
        "texts": ["A", "B", "C"],
        "proposers": ["model", "model", "model"],
    }
    assert len(events.of("tot.evaluate")) == 7
    assert ToTState.model_validate(json.loads(state.model_dump_json())) == state


async def test_dfs_prunes_below_threshold_and_backtracks() -> None:
    rules = [
        propose("(none)\n", "A\nB"),
        propose("B\n", "B1\nB2"),
        propose("A\n", "A1"),
        propose("A\nA1\n", "Answer: 7"),
        value("A\n", "likely"),  # 1  (>= threshold 1)
        value("B\n", "sure"),  # 20 -> visited first
        value("B\nB1\n", "impossible"),
        value("B\nB2\n", "impossible"),
        value("A\nA1\n", "sure"),
        value("A\nA1\nAnswer: 7\n", "sure"),
    ]
    gateway, _ = scripted(rules)
    task = get_task("generic", question="q")
    events = Events()
    state = init_tot(task, ToTConfig(search="dfs", depth=3, n_evaluate=1, value_threshold=1.0))
    visits = []
    while not state.done:
        top = state.stack[-1] if state.stack else None
        state = await dfs_step(state, task, gateway, events)
        visits.append(state.nodes[top].text if top else None)
    # root, B (children pruned -> backtrack), A, A1, the answer leaf
    assert visits == ["", "B", "A", "A1", "Answer: 7"]
    assert events.of("tot.backtrack") == [
        {"from_id": "2", "to_id": "1", "reason": "no child reached the value threshold"}
    ]
    assert state.stop_reason == "leaf"
    state = finish(state, task)
    assert state.answer == "7"
    assert {state.nodes[i].text: state.nodes[i].kept for i in state.nodes if i != ROOT} == {
        "A": True,
        "B": True,
        "B1": False,
        "B2": False,
        "A1": True,
        "Answer: 7": True,
    }
    assert state.nodes["3"].pruned_reason == "value 0.001 < threshold 1"
    assert_tree_complete(state)


async def test_dfs_respects_max_nodes() -> None:
    gateway, _ = scripted([{"pattern": "Propose", "response": "x\ny\nz"}, {"pattern": "Judge", "response": "sure"}])
    task = get_task("generic", question="q")
    result = await run_tot(task, gateway, ToTConfig(search="dfs", depth=10, n_evaluate=1, max_nodes=5))
    state = ToTState.model_validate(result.trace)
    assert state.stop_reason == "max_nodes" and state.generated == 5


async def test_vote_evaluation_and_sampled_generation() -> None:
    rules = [
        {"pattern": "Next step", "responses": ["first idea", "second idea"]},
        {"pattern": "best choice", "responses": ["The best choice is 2", "The best choice is 2", "best choice is 1"]},
    ]
    gateway, _ = scripted(rules)
    task = get_task("generic", question="q")
    cfg = ToTConfig(generate="sample", n_generate=2, evaluate="vote", n_evaluate=3, breadth=1, depth=1)
    result = await run_tot(task, gateway, cfg)
    state = ToTState.model_validate(result.trace)
    assert [(n.text, n.value) for n in state.nodes.values() if n.id != ROOT] == [
        ("first idea", 1.0),
        ("second idea", 2.0),
    ]
    assert state.frontier == ["2"] and result.answer == "second idea"


async def test_max_children_caps_each_expansion() -> None:
    gateway, _ = scripted([{"pattern": "Propose", "response": "a\nb\nc\nd"}, {"pattern": "Judge", "response": "sure"}])
    task = get_task("generic", question="q")
    result = await run_tot(task, gateway, ToTConfig(depth=2, breadth=2, n_evaluate=1, max_children=2))
    state = ToTState.model_validate(result.trace)
    assert [n.text for n in state.nodes.values() if n.depth == 1] == ["a", "b"]
    assert state.generated == 2 + 2 * 2
