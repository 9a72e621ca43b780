"""Reading the question and answer out of an evaluator task."""

from __future__ import annotations

import pytest

from agents.grading.request import GradingRequest, parse_grading_task, resolve_grading_task
from agents.llm.types import ChatMessage
from agents.runner import task_with_history


@pytest.mark.parametrize(
    ("task", "question", "answer"),
    [
        ("Grade this answer to 'What is 2 + 2?': 4", "What is 2 + 2?", "4"),
        (
            "Grade this answer to 'Are RoPE's rotation angles learned during training?': Yes, they are learned.",
            "Are RoPE's rotation angles learned during training?",
            "Yes, they are learned.",
        ),
        (
            'Evaluate my answer to "Why divide by √d_k?": to keep the softmax soft',
            "Why divide by √d_k?",
            "to keep the softmax soft",
        ),
        (
            "Question: What is d_head for d_model 512 and h = 8?\nAnswer: 64",
            "What is d_head for d_model 512 and h = 8?",
            "64",
        ),
        (
            "Is 'sin(1)' a correct answer to 'What is PE(pos=1, dimension 0)?'",
            "What is PE(pos=1, dimension 0)?",
            "sin(1)",
        ),
        ("Grade this answer to What is GELU(1) exactly? 0.84", "What is GELU(1) exactly?", "0.84"),
        ("Is this right? RMSNorm subtracts the mean.", "", "RMSNorm subtracts the mean."),
        ("Is it true that GQA groups tokens?", "", "GQA groups tokens"),
        ("Grade this answer: 2 + 2 = 4", "", "2 + 2 = 4"),
    ],
)
def test_plain_phrasings(task: str, question: str, answer: str) -> None:
    assert parse_grading_task(task) == GradingRequest(question, answer)


def test_the_last_message_of_a_conversation_is_graded() -> None:
    history = [ChatMessage(role="user", content="hi"), ChatMessage(role="assistant", content="hello")]
    task = task_with_history("Is this right? RMSNorm subtracts the mean.", history)
    assert parse_grading_task(task) == GradingRequest("", "RMSNorm subtracts the mean.")


@pytest.mark.parametrize("task", ["Write a poem about attention.", "Grade this haiku: autumn moonlight."])
def test_other_tasks_are_not_grading_requests(task: str) -> None:
    assert parse_grading_task(task) is None


def test_a_request_the_course_cannot_check_resolves_to_nothing() -> None:
    assert resolve_grading_task("Grade this answer: 2 + 2 = 4") is None
    found = resolve_grading_task("Is this right? RMSNorm subtracts the mean.")
    assert found is not None and found[1].concept == "normalization"
