"""What a grade turn produces on either framework: the score and reasons in one format, or no_score."""

from __future__ import annotations

from agents.grade_turn import FORMAT_NUDGE, as_grade, has_grade, retry_task
from agents.personas import AgentReply


def reply(text: str, stop: str = "completed") -> AgentReply:
    return AgentReply(persona="evaluator", framework="crewai", text=text, stop_reason=stop)


def test_a_free_grade_is_rendered_in_the_one_format() -> None:
    graded = as_grade(reply("I'd give it 8/10. Clear, but no example."))
    assert graded.text == "SCORE: 8\nREASONS:\nI'd give it Clear, but no example." and graded.stop_reason == "completed"


def test_a_grade_without_score_or_reasons_is_no_score() -> None:
    assert has_grade("SCORE: 3\nREASONS:\n- wrong") and not has_grade("SCORE: 3") and not has_grade("fine")
    assert as_grade(reply("Looks fine.")).stop_reason == "no_score"
    assert as_grade(reply("SCORE: 3")).text == "SCORE: 3" and as_grade(reply("SCORE: 3")).stop_reason == "no_score"
    assert as_grade(reply("", "timeout")).stop_reason == "timeout"


def test_the_retry_shows_the_missed_answer_and_the_format() -> None:
    task = retry_task("Grade this haiku", "Looks fine.")
    assert task.startswith("Grade this haiku\n") and "Looks fine." in task and task.endswith(FORMAT_NUDGE)
