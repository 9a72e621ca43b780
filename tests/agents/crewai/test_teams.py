"""The lesson crew (two phases) and the prompt-lab crew on scripted models: results, bounds, usage."""

from __future__ import annotations

import json
import time

import pytest

from agents.concept_tools import concept_tool_specs
from agents.crewai_adapter import AgentRunError, lesson_explain, lesson_grade, run_lesson_crew, run_prompt_lab
from agents.llm.types import GenerationOptions
from tools.concepts import get_concept

from .conftest import DownBackend, EventLog, action, final, scripted

SOFTMAX = get_concept("softmax")
SOFTMAX_RESULT = json.loads(concept_tool_specs(["softmax"])[0].run(SOFTMAX.example))

#: The lesson crew runs the model only when it has native tool calling; a base model gets the reference lesson.
TOOLS = ["completion", "tools"]
LESSON_RULES = [
    {
        "pattern": r"strict evaluator.*Write a quiz",
        "response": final("Q1: Why may we subtract the largest logit?\nQ2: What happens as the temperature nears 0?"),
    },
    {
        "pattern": r"GenAI tutor.*Teach the concept",
        "response": final("Softmax exponentiates and normalises; logits [2, 1, 0.1] give 0.659, 0.242, 0.099."),
    },
    # the grounded grader's judge (JSON under the schema), asked only for answers the checks cannot settle
    {
        "pattern": r"Learner's answer: all mass goes",
        "response": json.dumps({"score": 9, "verdict": "correct", "reasons": ["same facts as the reference"]}),
    },
]
ANSWERS = ["softmax is shift-invariant, so subtracting the max avoids overflow", "all mass goes on the highest logit"]


async def test_lesson_explain_computes_the_example_and_writes_the_quiz(event_log: EventLog) -> None:
    gateway, backend = scripted(LESSON_RULES, capabilities=["completion", "tools"])
    draft = await lesson_explain("softmax", gateway, on_event=event_log)
    assert draft.stop_reason == "completed" and draft.concept == "softmax"
    assert draft.worked_example.inputs == SOFTMAX.example and draft.worked_example.result == SOFTMAX_RESULT
    assert "0.659" in draft.explanation and draft.explanation_source == "model"
    # the tutor's task carried the pre-computed result, so even a weak model can quote real numbers
    assert str(SOFTMAX_RESULT["probs"][0]) in backend.prompts[0]
    assert [q.question for q in draft.quiz] == [
        "Why may we subtract the largest logit?",
        "What happens as the temperature nears 0?",
    ]
    assert [q.answer for q in draft.quiz] == [q.answer for q in SOFTMAX.quiz] and draft.quiz_source == "model"
    assert len(draft.usage) == 2 and {s.source for s in draft.steps} == {"tutor", "evaluator"}
    assert {d["source"] for k, d in event_log.events if k == "token"} == {"tutor", "evaluator"}


@pytest.mark.parametrize(
    ("capabilities", "reply"),
    [
        (["completion"], "0.659 is the first probability."),  # a base model's prose is never shown
        (["completion", "tools"], "Thought: I now can give a great answer\nFinal Answer: your job depends on it"),
        (["completion", "tools"], "The first probability is 0.7712."),  # a number the lab did not compute
    ],
)
async def test_lesson_explain_shows_the_reference_instead_of_unsound_prose(capabilities: list[str], reply: str) -> None:
    rules = [{"pattern": "GenAI tutor", "response": f"Thought: I can answer\nFinal Answer: {reply}"}, *LESSON_RULES]
    gateway, _ = scripted(rules, capabilities=capabilities)
    draft = await lesson_explain("softmax", gateway)
    assert draft.explanation_source == "reference" and draft.explanation == SOFTMAX.explanation


async def test_lesson_grade_uses_the_grounded_grader() -> None:
    gateway, backend = scripted(LESSON_RULES)
    quiz = [{"question": q.question, "answer": q.answer} for q in SOFTMAX.quiz] + [
        {"question": "Name the function.", "answer": "softmax"}
    ]
    grades = await lesson_grade(quiz, ANSWERS, gateway)
    first, second, blank = grades.items
    assert first.method == "checks" and first.score >= 0.8 and "contradicts none" in first.feedback
    assert (second.method, second.score) == ("judge", 0.9) and "same facts" in second.feedback
    assert (blank.method, blank.score, blank.feedback) == ("none", 0.0, "No answer given.")
    assert grades.total == pytest.approx(first.score + second.score) and grades.max_total == 3
    assert len(grades.usage) == 1 == len(backend.prompts)  # only the answer the checks could not settle
    assert grades.stop_reason == "completed"


async def test_run_lesson_crew_does_both_phases_with_usage() -> None:
    gateway, _ = scripted(LESSON_RULES, capabilities=TOOLS)
    result = await run_lesson_crew("softmax", ANSWERS, gateway)
    assert result.draft.quiz_source == "model" and len(result.grades.items) == 2
    assert result.grades.items[0].method == "checks" and result.grades.items[0].score >= 0.8
    assert result.grades.items[1].score == 0.9
    assert len(result.usage) == 3 and gateway.ledger.totals()["calls"] == 3


async def test_a_weak_model_ends_the_lesson_within_max_iter() -> None:
    gateway, backend = scripted(
        [{"pattern": ".", "response": action("concept_softmax", '{"logits": [1, 2]}')}], capabilities=TOOLS
    )
    started = time.monotonic()
    draft = await lesson_explain("softmax", gateway, options=GenerationOptions(max_tokens=64))
    assert draft.stop_reason == "max_iterations"
    assert draft.worked_example.result == SOFTMAX_RESULT  # still correct: computed, not generated
    assert [q.answer for q in draft.quiz] == [q.answer for q in SOFTMAX.quiz] and draft.quiz_source == "reference"
    assert len(backend.prompts) <= 2 * (4 + 1) and len(draft.usage) == len(backend.prompts)
    assert time.monotonic() - started < 30


async def test_a_lesson_that_times_out_still_returns_a_draft() -> None:
    gateway, _ = scripted([{"pattern": ".", "response": "slow " * 40, "delay_s": 0.1}], capabilities=TOOLS)
    draft = await lesson_explain("softmax", gateway, timeout_s=1.0)
    assert draft.stop_reason == "timeout" and draft.explanation_source == "reference"
    assert draft.explanation == SOFTMAX.explanation and draft.worked_example.result == SOFTMAX_RESULT


async def test_lesson_with_backend_down_raises_agent_run_error() -> None:
    from agents.llm import Gateway

    with pytest.raises(AgentRunError, match=r"^model backend unavailable"):
        await lesson_explain("softmax", Gateway(DownBackend(capabilities=TOOLS)))


PROMPT = "Summarize the text."
TEXT = "The Western Roman Empire fell in 476 when Odoacer deposed Romulus Augustulus."
REWRITE = (
    "REWRITTEN PROMPT:\nYou are an expert historian. Summarize the text below in 3 bullet points.\n"
    "TRICKS:\n- persona: an expert voice sets the level\n- structured text: bullets are easy to compare\n"
    "- descriptive: says length and format"
)
LAB_RULES = [
    {"pattern": r"prompt engineer.*Rewrite this prompt", "response": final(REWRITE)},
    {"pattern": r"Two answers were written", "response": final("SCORE A: 4\nSCORE B: 8\nBETTER: B\nREASONS:\n- B")},
    {"pattern": r"^You are an expert historian", "response": "- Rome fell in 476\n- Odoacer\n- Romulus Augustulus"},
    {"pattern": r"^Summarize the text", "response": "Rome fell."},
]


async def test_prompt_lab_rewrites_answers_both_and_compares(event_log: EventLog) -> None:
    gateway, _ = scripted(LAB_RULES)
    lab = await run_prompt_lab(PROMPT, TEXT, gateway, on_event=event_log)
    assert lab.stop_reason == "completed" and lab.rewrite_source == "model"
    assert lab.rewritten_prompt == "You are an expert historian. Summarize the text below in 3 bullet points."
    assert [t.trick for t in lab.tricks_applied] == ["persona", "structured text", "descriptive"]
    assert lab.original_answer == "Rome fell." and lab.rewritten_answer.startswith("- Rome fell in 476")
    assert (lab.verdict.better, lab.verdict.original_score, lab.verdict.rewritten_score) == ("rewritten", 0.4, 0.8)
    assert lab.verdict.method == "model" and lab.verdict.reasons == "- B"
    assert len(lab.usage) == 4
    assert event_log.text("answer:original") == "Rome fell."


async def test_prompt_lab_with_unparseable_verdict_is_undecided() -> None:
    rules = [{"pattern": r"Two answers were written", "response": final("Both are nice.")}, *LAB_RULES]
    gateway, _ = scripted(rules)
    lab = await run_prompt_lab(PROMPT, None, gateway)
    assert lab.verdict.better == "undecided" and lab.verdict.method == "unparsed"
    assert lab.verdict.reasons == "Both are nice." and len(lab.usage) == 4
