"""The evaluator persona grades with the grounded grader on AutoGen and on CrewAI, alike."""

from __future__ import annotations

from typing import Any

import pytest

from agents.personas import get_persona
from agents.runner import run_agent
from tools.grading.score import parse_reasons, parse_score

from .conftest import NEURON_QUESTION, judge_gateway

RMSNORM_TASK = "Grade this answer to 'What does RMSNorm do differently from LayerNorm?': RMSNorm subtracts the mean."
TASKS = [
    RMSNORM_TASK,
    "Is this right? RMSNorm subtracts the mean.",
    f"Grade this answer to '{NEURON_QUESTION}': z = -0.7 and y = 0.332",
    "Question: With apple 0.4, banana 0.3, cherry 0.2, date 0.1 and top-p with p = 0.8, which tokens are kept?\n"
    "Answer: apple and banana",
    "Grade this answer to 'What is the main cost of character-level tokenisation?': the sequences get longer",
]
FREE_REVIEW = "Thought: done\nFinal Answer: SCORE: 9\nREASONS:\n- reads well"


@pytest.mark.parametrize("task", TASKS)
async def test_both_frameworks_give_the_same_grade(task: str) -> None:
    texts = {}
    for framework in ("autogen", "crewai"):
        gateway = judge_gateway(8, free_reply=FREE_REVIEW)
        reply = await run_agent("evaluator", task, gateway, framework=framework)  # type: ignore[arg-type]
        assert reply.framework == framework and reply.stop_reason == "completed"
        texts[framework] = reply.text
    assert texts["autogen"] == texts["crewai"]
    assert parse_score(texts["autogen"]) is not None and parse_reasons(texts["autogen"]).startswith("- ")


async def test_the_contradiction_is_capped_whatever_the_model_says() -> None:
    reply = await run_agent("evaluator", RMSNORM_TASK, judge_gateway(10))
    assert reply.framework == "autogen" and parse_score(reply.text) == 2.0
    assert "the mean is not subtracted" in reply.text and reply.usage == []  # settled without a model call


async def test_a_computed_reference_is_reported_as_a_tool_call() -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    task = f"Grade this answer to '{NEURON_QUESTION}': z = -0.7 and y = 0.669"
    reply = await run_agent("evaluator", task, judge_gateway(10), on_event=lambda k, d: events.append((k, d)))
    score = parse_score(reply.text)
    assert score is not None and score <= 2
    assert [s.kind for s in reply.steps] == ["tool_call", "tool_result", "message"]
    assert [k for k, _ in events] == ["tool_call", "tool_result", "message"]
    assert events[0][1]["name"] == "neuron" and '"activation": "sigmoid"' in events[0][1]["arguments"]


async def test_the_judge_call_goes_through_each_framework_and_is_counted() -> None:
    task = TASKS[-1]
    for framework in ("autogen", "crewai"):
        gateway = judge_gateway(8)
        reply = await run_agent("evaluator", task, gateway, framework=framework)  # type: ignore[arg-type]
        assert reply.text.startswith("SCORE: 8\n") and len(reply.usage) == 1
        assert gateway.ledger.totals()["calls"] == 1 and gateway.ledger.records[0].operation == "structured"


@pytest.mark.parametrize("framework", ["autogen", "crewai"])
async def test_a_task_the_course_cannot_check_is_graded_by_the_model(framework: str) -> None:
    gateway = judge_gateway(0, free_reply=FREE_REVIEW)
    persona = get_persona("evaluator").model_copy(update={"framework": framework})
    reply = await run_agent(persona.name, "Grade this haiku: autumn moonlight.", gateway, framework=framework)  # type: ignore[arg-type]
    assert parse_score(reply.text) == 9.0 and parse_reasons(reply.text) == "- reads well"
