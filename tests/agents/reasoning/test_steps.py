"""Persona steps: named as persona@framework, run through the persona contract, authored and metered."""

from __future__ import annotations

import pytest

from agents.llm import Gateway
from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.types import GenerationOptions
from agents.reasoning import AnswerCheck, echoes_prompt, grade_task, persona_ref, read_check, run_step, without_echo
from agents.reasoning.steps import echoed_sentences, persona_sources

TUTOR = "GenAI tutor"
EVALUATOR = "strict evaluator"


def gateway(rules: list[dict]) -> tuple[Gateway, ScriptedBackend]:
    backend = ScriptedBackend(rules)
    return Gateway(backend), backend


def test_a_persona_is_named_with_an_optional_framework() -> None:
    assert persona_ref("coder").label == "coder@autogen"  # the coder's own framework
    assert persona_ref("coder@crewai").label == "coder@crewai"
    assert persona_ref(" tutor @ AutoGen ").label == "tutor@autogen"
    with pytest.raises(ValueError, match="unknown persona 'poet'; choose one of tutor, prompt-engineer"):
        persona_ref("poet")
    with pytest.raises(ValueError, match="unknown framework 'langchain'"):
        persona_ref("coder@langchain")


@pytest.mark.parametrize("framework", ["crewai", "autogen"])
async def test_a_step_is_one_answer_turn_of_the_persona_with_the_strategys_options(framework: str) -> None:
    gw, backend = gateway([{"pattern": TUTOR, "response": "Softmax turns scores into probabilities."}])
    options = GenerationOptions(temperature=0.9, seed=7, max_tokens=40)
    reply = await run_step(f"tutor@{framework}", "answer", "What does softmax do?", gw, options=options)
    assert (reply.persona, reply.framework, reply.kind, reply.ok) == ("tutor", framework, "answer", True)
    assert reply.text == "Softmax turns scores into probabilities."
    assert reply.calls == 1 and reply.prompt_tokens > 0 and reply.completion_tokens == 5
    assert "concept_" not in backend.prompts[0]  # a step offers no tools: no ReAct scaffolding to echo


@pytest.mark.parametrize("framework", ["crewai", "autogen"])
async def test_a_graded_step_is_the_evaluators_grounded_grade(framework: str) -> None:
    gw, _ = gateway([{"pattern": EVALUATOR, "response": "SCORE: 9\nREASONS:\n- fine"}])
    task = grade_task("What does RMSNorm do differently from LayerNorm?", "RMSNorm subtracts the mean.")
    reply = await run_step(f"evaluator@{framework}", "evaluate", task, gw, graded=True)
    check = read_check(reply.label, reply.grounding)
    assert reply.grounding is not None and check.contradicts and check.verified is False
    assert check.concept == "normalization" and check.score is not None and check.score <= 2
    assert reply.text.startswith("SCORE: ")


async def test_a_failed_turn_is_a_reply_with_its_error() -> None:
    gw, _ = gateway([])  # no rule: the backend refuses every call
    reply = await run_step("tutor@autogen", "answer", "anything", gw)
    assert not reply.ok and reply.error is not None and "no scripted rule matches" in reply.error
    assert reply.failure is not None and reply.label == "tutor@autogen"


def test_read_check_verifies_only_what_the_concept_lab_decided() -> None:
    exact = {"method": "exact", "verdict": "correct", "score": 10, "reference": "0.66", "contradictions": []}
    judged = {"method": "judge", "verdict": "correct", "score": 9, "contradictions": []}
    wrong_number = {"method": "exact", "verdict": "incorrect", "score": 1, "contradictions": []}
    assert read_check("e", exact).verified is True
    assert read_check("e", judged).verified is None  # a model's verdict verifies nothing
    assert read_check("e", wrong_number).contradicts and read_check("e", wrong_number).verified is False
    assert read_check("e", None, 7.0) == AnswerCheck(by="e", score=7.0)


def test_grade_task_quotes_the_question_so_the_grader_reads_it() -> None:
    from agents.grading.request import parse_grading_task

    for question in ["What is top-p?", "What is RoPE's base?"]:
        parsed = parse_grading_task(grade_task(question, "It keeps the smallest set."))
        assert parsed is not None and (parsed.question, parsed.answer) == (question, "It keeps the smallest set.")


def test_an_echo_of_the_instructions_is_no_answer() -> None:
    sources = persona_sources("coder", "Write a function that adds two numbers.")
    echo = "add(2, 3)\nIf the output shows it works, say DONE."
    assert echoed_sentences(echo, sources) == ["If the output shows it works, say DONE."]
    assert without_echo(echo, sources) == "add(2, 3)"
    assert echoes_prompt("Write a function that adds two numbers.", sources)
    assert echoes_prompt("def add(a, b): return a + b", sources)  # the persona's one-shot example
    assert not echoes_prompt("def total(xs): return sum(xs)", sources)
