"""What an evaluator's turn produces on either framework: one score and its reasons, in one format.

The grounded grader already answers "SCORE: n / REASONS: ...". A free model grade is read by
the one score parser (tools.grading.score) and re-rendered in that format, so the same model
text gives the same reply on AutoGen and CrewAI; a grade without a score or reasons is asked
for once more (`FORMAT_NUDGE`) by `agents.runner`, and otherwise stops as "no_score".
"""

from __future__ import annotations

from agents.personas import AgentReply
from tools.grading.score import parse_reasons, parse_score, render_grade

FORMAT_NUDGE = (
    "Answer again in exactly this format: a first line 'SCORE: <0-10>', then 'REASONS:' "
    "followed by short bullet points."
)


def has_grade(text: str) -> bool:
    """The text states a score and some reasons."""
    return parse_score(text) is not None and bool(parse_reasons(text))


def retry_task(task: str, previous: str) -> str:
    """The task once more, with the grade that missed the format and the nudge."""
    shown = previous.strip() or "(nothing)"
    return f"{task}\n\nYour answer was:\n{shown}\n\n{FORMAT_NUDGE}"


def as_grade(reply: AgentReply) -> AgentReply:
    """`reply` with its grade in the one format, or stopped as "no_score" when it states none."""
    score, reasons = parse_score(reply.text), parse_reasons(reply.text)
    if score is None or not reasons:
        stop = "no_score" if reply.stop_reason == "completed" else reply.stop_reason
        return reply.model_copy(update={"stop_reason": stop})
    return reply.model_copy(update={"text": render_grade(score, reasons)})


__all__ = ["FORMAT_NUDGE", "as_grade", "has_grade", "retry_task"]
