"""Completion-style prompts for base models: Q/A transcript, continuation passthrough, stops."""

from __future__ import annotations

from agents.llm.prompt_format import PRIMER, render_completion_prompt, stops_for
from agents.llm.types import ChatMessage


def m(role: str, content: str) -> ChatMessage:
    return ChatMessage(role=role, content=content)  # type: ignore[arg-type]


def test_turns_become_a_question_answer_transcript() -> None:
    prompt = render_completion_prompt(
        [m("system", "Be brief."), m("user", "Hi?"), m("assistant", "Hello."), m("user", "Capital of France?")]
    )
    assert prompt == "Be brief.\n\nQuestion: Hi?\nAnswer: Hello.\n\nQuestion: Capital of France?\nAnswer:"
    assert render_completion_prompt([m("user", "Hi?")]) == f"{PRIMER}\n\nQuestion: Hi?\nAnswer:"


def test_a_sentence_fragment_is_continued_as_written() -> None:
    assert render_completion_prompt([m("user", "The capital of France is")]) == "The capital of France is"
    assert stops_for([m("user", "The capital of France is")], None) == ["\n\n"]


def test_stops_end_the_answer_before_the_model_invents_a_next_turn() -> None:
    stops = stops_for([m("user", "What is RLHF?")], ["END"])
    assert stops[0] == "END" and "\nQuestion:" in stops
    assert "\nAnswer:" not in stops  # a chain of thought ends with its own "Answer:" line


def test_multi_line_questions_get_no_primer() -> None:
    question = "Janet has 3 apples.\nShe eats one. How many are left?"
    prompt = render_completion_prompt([m("user", question)])
    assert PRIMER not in prompt and prompt == f"Question: {question}\nAnswer:"


def test_few_shot_completion_prompts_pass_through_raw() -> None:
    few_shot = "Input: 4 4 6 8\nPossible next steps:\n4 + 4 = 8 (left: 6 8 8)\nInput: 1 2 3 4\nPossible next steps:\n"
    assert render_completion_prompt([m("user", few_shot)]) == few_shot
