"""Agents that reason together, through the runs API: a code tree search (coder on CrewAI, evaluator on
AutoGen) streamed node by node, a self-consistent tutor, and searches the API refuses with a 422."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.gateway import Gateway

from .conftest import make_client
from .test_usage_one_source import sse

CODER, EVALUATOR, TUTOR = "Python developer", "strict evaluator", "GenAI tutor"
RULES = [
    {
        "pattern": f"{CODER}.*Your previous program",
        "response": "```python\ndef is_even(n):\n    return n % 2 == 0\n```",
    },
    {"pattern": CODER, "response": "```python\ndef is_even(n):\n    return n % 2 == 1\n```"},
    {"pattern": f"{EVALUATOR}.*Review", "response": "SCORE: 1\nREASONS:\n- inverted"},
    {
        "pattern": TUTOR,
        "responses": ["Answer: It becomes uniform.", "Answer: It concentrates all the mass on the highest logit."],
    },
]
TREE = {
    "task": "Write is_even(n).",
    "strategy": "tree",
    "tests": ["assert is_even(4) is True", "assert is_even(7) is False"],
    "coder": "coder@crewai",
    "evaluator": "evaluator@autogen",
    "config": {"k": 1, "breadth": 1, "evaluator_tests": 0},
}


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_a_code_tree_search_streams_each_node_with_its_persona(tmp_path: Path) -> None:
    gateway = Gateway(ScriptedBackend(RULES))
    body = {"assistant_id": "code", "input": TREE, "stream_mode": ["custom", "values"]}
    with make_client(tmp_path, gateway) as client:
        thread = client.post("/threads", json={}).json()["thread_id"]
        response = client.post(f"/threads/{thread}/runs/stream", json=body)
        run = client.get(f"/threads/{thread}/runs").json()[0]
        state = client.get(f"/threads/{thread}/state").json()["values"]
    assert response.status_code == 200 and run["status"] == "success"
    assert state["verdict"] == "passed" and state["answer"] == "def is_even(n):\n    return n % 2 == 0\n"
    custom = [d for e, d in sse(response.text) if e == "custom" and d["kind"].startswith("code_tree.")]
    nodes = [(d["data"]["node_id"], d["data"]["kind"], d["data"]["persona"], d["data"]["framework"])
             for d in custom if d["kind"] == "code_tree.node"]  # fmt: skip
    assert nodes == [("1", "propose", "coder", "crewai"), ("2", "refine", "coder", "crewai")]
    values = [
        (d["data"]["node_id"], d["data"]["value"], d["data"]["valued_by"])
        for d in custom
        if d["kind"] == "code_tree.value"
    ]
    assert values == [("1", 0.05, "evaluator@autogen"), ("2", 10.0, None)]
    finished = next(d["data"] for d in custom if d["kind"] == "code_tree.finish")
    assert finished["best_id"] == "2" and finished["passed"] is True and finished["persona"] == "coder"
    assert run["usage"]["calls"] == state["usage"]["calls"] == 3  # proposal, review, refinement


def test_a_self_consistent_tutor_through_the_runs_api(tmp_path: Path) -> None:
    body = {
        "assistant_id": "reason",
        "input": {
            "question": "What happens to the distribution as the temperature goes to 0?",
            "strategy": "cot_sc",
            "samplers": ["tutor@autogen"],
            "evaluator": "evaluator@crewai",
            "config": {"n": 2, "early_stop": False, "max_concurrency": 1},
        },
    }
    with make_client(tmp_path, Gateway(ScriptedBackend(RULES))) as client:
        state = client.post("/runs/wait", json=body).json()
    assert state["answer"] == "It concentrates all the mass on the highest logit."
    assert state["trace"]["excluded"][0]["answer"] == "It becomes uniform."
    assert state["trace"]["excluded"][0]["checked_by"] == "evaluator@crewai"
    assert "Agreement: 1 of 2 sampled answers (50%)." in state["reply"]


@pytest.mark.parametrize(
    ("assistant", "change", "field"),
    [
        ("code", {"tests": ["is_even(4)"]}, "input.tests"),
        ("code", {"evaluator": "critic"}, "input.evaluator"),
        ("reason", {"question": "What is 2+2?", "strategy": "tot", "proposer": "coder@langchain"}, "input.proposer"),
    ],
)
def test_a_search_that_cannot_run_is_a_422_naming_the_field(
    tmp_path: Path, assistant: str, change: dict, field: str
) -> None:
    graph_input = {**TREE, **change} if assistant == "code" else change
    with make_client(tmp_path, Gateway(ScriptedBackend(RULES))) as client:
        response = client.post("/runs/wait", json={"assistant_id": assistant, "input": graph_input})
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["message"]
