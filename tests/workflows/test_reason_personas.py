"""`reason` with personas: a self-consistent tutor whose vote leaves out what the concept lab refutes,
and a Tree of Thoughts whose proposer and evaluator run on different frameworks, as checkpointed runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workflows.inputs import InvalidInput
from workflows.registry import get_workflow
from workflows.strategies.tutor_sc import run_tutor_sc, tutor_sc_config

from .helpers import run_workflow, scripted

TUTOR, EVALUATOR = "GenAI tutor", "strict evaluator"
QUESTION = "What happens to the distribution as the temperature goes to 0?"
UNIFORM = (
    "Dividing by a tiny temperature evens things out.\n"
    "Answer: It becomes uniform: every token gets the same probability."
)
GREEDY = "It concentrates all the mass on the highest logit, like greedy arg-max decoding."
GREEDY_TOO = (
    "As T shrinks the largest logit dominates.\n"
    "Answer: All probability mass goes to the highest logit: it becomes greedy."
)
#: Three of five tutor samples say "uniform", which the concept lab (softmax) refutes; two say "greedy", as it does.
TUTOR_RULES = [{"pattern": TUTOR, "responses": [UNIFORM, GREEDY, UNIFORM, GREEDY_TOO, UNIFORM]}]


def tutor_sc_input(**config: Any) -> dict[str, Any]:
    return {
        "question": QUESTION,
        "strategy": "cot_sc",
        "samplers": ["tutor@crewai"],
        "evaluator": "evaluator@autogen",
        "config": {"n": 5, "early_stop": False, "max_concurrency": 1, **config},
    }


async def test_the_tutors_vote_leaves_out_answers_that_contradict_the_concept_lab(tmp_path: Path) -> None:
    values, events, snapshot = await run_workflow("reason", tutor_sc_input(), scripted(TUTOR_RULES), tmp_path / "c.db")
    assert snapshot.next == ()
    assert values["answer"] == GREEDY  # the majority ("uniform", 3 of 5) is refuted; the verified answer wins
    vote = values["trace"]
    assert vote["exclusions"] == 3 and [e["index"] for e in vote["excluded"]] == [0, 2, 4]
    assert all(e["reason"].startswith("contradicts the concept lab: says uniform") for e in vote["excluded"])
    assert {e["checked_by"] for e in vote["excluded"]} == {"evaluator@autogen"}
    assert vote["winner_verified"] is True and vote["agreement"] == pytest.approx(2 / 5)
    assert vote["voters"] == {vote["winner"]: ["tutor@crewai #1", "tutor@crewai #3"]}  # one answer, two wordings
    assert values["reply"].splitlines() == [
        GREEDY,
        "",
        "Agreement: 2 of 5 sampled answers (40%).",
        "Verified against the concept lab (softmax) by evaluator@autogen.",
        "3 answer(s) left out of the vote: they contradict the concept lab.",
    ]
    samples = [d for e in events if e["kind"] == "cot_sc.sample" for d in [e["data"]]]
    assert [(d["persona"], d["framework"], d["excluded"]) for d in samples] == [
        ("tutor", "crewai", True),
        ("tutor", "crewai", False),
        ("tutor", "crewai", True),
        ("tutor", "crewai", False),
        ("tutor", "crewai", True),
    ]
    assert values["usage"]["calls"] == 5  # five tutor turns; every grade was settled by the concept lab's checks


async def test_the_arena_hook_gives_the_same_reply() -> None:
    result = await run_tutor_sc(QUESTION, scripted(TUTOR_RULES), tutor_sc_config(5, evaluator="evaluator@autogen"))
    assert result.answer == GREEDY and result.trace["reply"].startswith(f"{GREEDY}\n\nAgreement: 2 of 5")
    assert result.usage.calls == 5


async def test_without_a_verified_answer_the_reply_says_so(tmp_path: Path) -> None:
    gateway = scripted([{"pattern": TUTOR, "responses": [UNIFORM, "Answer: I am not sure."]}])
    values, _, _ = await run_workflow("reason", tutor_sc_input(n=2), gateway, tmp_path / "c.db")
    assert values["answer"] == "I am not sure." and values["trace"]["winner_verified"] is False
    assert "Not verified: the concept lab confirmed none of the sampled answers." in values["reply"]


async def test_a_tree_with_a_crewai_proposer_and_an_autogen_evaluator(tmp_path: Path) -> None:
    gateway = scripted(
        [
            {"pattern": f"{TUTOR}.*Propose up to", "response": "Answer: greedy\nAnswer: uniform"},
            {"pattern": f"{EVALUATOR}.*Answer: greedy\n", "response": "The mass piles up on one token.\nsure"},
            {"pattern": f"{EVALUATOR}.*Answer: uniform\n", "response": "No, it sharpens.\nimpossible"},
        ]
    )
    graph_input = {
        "question": QUESTION,
        "strategy": "tot",
        "proposer": "tutor@crewai",
        "evaluator": "evaluator@autogen",
        "config": {"breadth": 1, "depth": 1, "n_evaluate": 1},
    }
    values, events, _ = await run_workflow("reason", graph_input, gateway, tmp_path / "c.db")
    assert values["answer"] == "greedy"
    nodes = [n for n in values["tot"]["nodes"].values() if n["parent_id"] is not None]
    assert [(n["text"], n["persona"], n["framework"], n["valued_by"], n["kept"]) for n in nodes] == [
        ("Answer: greedy", "tutor", "crewai", "evaluator@autogen", True),
        ("Answer: uniform", "tutor", "crewai", "evaluator@autogen", False),
    ]
    assert values["tot"]["config"]["proposer"] == "tutor@crewai"  # checkpointed: a resumed run asks the same
    assert [e["data"]["personas"] for e in events if e["kind"] == "tot.expand"] == [["tutor", "tutor"]]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("proposer", "oracle", "input.proposer: unknown persona 'oracle'"),
        ("evaluator", "evaluator@langchain", "input.evaluator: unknown framework 'langchain'"),
        ("samplers", ["tutor", "sage"], "input.samplers[1]: unknown persona 'sage'"),
    ],
)
def test_a_persona_that_does_not_exist_is_refused_before_the_run(field: str, value: Any, message: str) -> None:
    check = get_workflow("reason").check_input
    assert check is not None
    with pytest.raises(InvalidInput, match=message.replace("[", r"\[").replace("]", r"\]")):
        check({"question": QUESTION, "strategy": "cot_sc", field: value})
