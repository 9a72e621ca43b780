"""The Reason view names who produced each tree node and each vote: persona@framework, in a real headless Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.server.helpers import running_server
from tests.server.test_dashboard import by_id, dump_dom, needs_chromium

QUESTION = "What happens to the distribution as the temperature goes to 0?"
UNIFORM = "It becomes uniform: every token gets the same probability."
GREEDY = "It concentrates all the mass on the highest logit, like greedy arg-max decoding."
RULES = [
    # a tree: the tutor (CrewAI) proposes two answers, the evaluator (AutoGen) values them
    {"pattern": "GenAI tutor.*Propose up to", "response": "Answer: greedy\nAnswer: uniform"},
    {"pattern": "strict evaluator.*Answer: greedy\n", "response": "sure"},
    {"pattern": "strict evaluator", "response": "impossible"},
    # a vote: the tutor on CrewAI says "uniform" (the concept lab refutes it), on AutoGen "greedy" (it verifies it)
    {"pattern": "GenAI tutor.*Current Task:", "response": f"Answer: {UNIFORM}"},
    {"pattern": "GenAI tutor", "response": GREEDY},
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("dashboard-personas")
    rules = tmp / "rules.json"
    rules.write_text(json.dumps(RULES))
    with running_server(tmp, THINKROOM_BACKEND="scripted", THINKROOM_SCRIPTED_RULES=str(rules)) as url:
        yield url


@needs_chromium
def test_each_tree_node_shows_the_persona_that_proposed_it_and_the_one_that_valued_it(
    server: str, tmp_path: Path
) -> None:
    link = (
        f"{server}/#reason=tot&question={quote(QUESTION)}&breadth=1&depth=1"
        f"&proposer={quote('tutor@crewai')}&evaluator={quote('evaluator@autogen')}&run=1"
    )
    dom = dump_dom(tmp_path, link)
    assert by_id(dom, "reason-answer-text") == "greedy"
    nodes = re.findall(r'<li class="tot-node (kept|pruned)" data-node="(\d+)">(.*?)</li>', dom, re.S)
    assert [(state, node) for state, node, _ in nodes] == [("kept", "1"), ("pruned", "2")]
    for _, _, body in nodes:
        assert 'data-persona="tutor@crewai"' in body and "[tutor@crewai]" in body
        assert "valued by evaluator@autogen" in body


@needs_chromium
def test_each_vote_shows_its_persona_and_a_refuted_answer_is_shown_excluded(server: str, tmp_path: Path) -> None:
    link = (
        f"{server}/#reason=cot_sc&question={quote(QUESTION)}&n=4"
        f"&samplers={quote('tutor@crewai,tutor@autogen')}&evaluator={quote('evaluator@autogen')}&run=1"
    )
    dom = dump_dom(tmp_path, link)
    assert by_id(dom, "reason-answer-text") == GREEDY
    assert re.search(r"<span[^>]*></span> 2<span class=\"persona\"> by tutor@autogen #1, tutor@autogen #3</span>", dom)
    excluded = re.findall(r'<tr class="excluded muted"><td>(.*?)</td><td>(.*?)</td></tr>', dom, re.S)
    assert len(excluded) == 2 and all("by tutor@crewai" in cell for _, cell in excluded)
    assert all(answer.endswith("(excluded)") and "uniform" in answer for answer, _ in excluded)
    assert "contradicts the concept lab" in excluded[0][1]
    assert "Agreement: 2 of 4 sampled answers (50%)." in by_id(dom, "reason-reply")
