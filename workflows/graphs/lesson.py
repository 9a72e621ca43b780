"""`lesson`: the lesson crew explains a concept and writes a quiz, the graph pauses for the
learner's answers (LangGraph `interrupt`), and on resume the evaluator grades them.

The pause is a checkpoint: the learner can answer hours later, from another process.

With a user id (`config.configurable.user_id`) and a store (the server's), the tutor
remembers the learner (workflows.learners): the explanation opens with what it knows
(a concept studied before and its last score, or the concepts already seen), and each
lesson and quiz grade is recorded under ("learners", <user id>, "progress").
"""

from __future__ import annotations

from typing import Any, TypedDict

from langgraph.config import get_config
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from workflows.context import WorkflowContext
from workflows.events import emitter, instrumented
from workflows.inputs import InvalidInput
from workflows.learners import Progress, learner_id, progress_note


class LessonInput(TypedDict, total=False):
    concept: str


class LessonState(LessonInput, total=False):
    title: str
    explanation: str
    worked_example: dict[str, Any]
    errata: list[str]
    quiz: list[dict[str, str]]
    answers: list[str]
    grades: dict[str, Any]
    answer: str
    learner: dict[str, Any]


def check_input(value: dict[str, Any]) -> None:
    """A new lesson needs a concept the course has; the message lists the known ones."""
    from tools.concepts import CONCEPTS, resolve_name

    concept = str(value.get("concept") or "")
    if resolve_name(concept) not in CONCEPTS:
        known = ", ".join(sorted(CONCEPTS))
        raise InvalidInput("concept", f"unknown concept {concept!r}; known: {known}")


def learner_progress(runtime: Runtime[WorkflowContext], known: str | None = None) -> Progress | None:
    """The learner's memory when the run names a user (its config, else `known`: the one the lesson
    started for, so a resume without the id still records the grade) and has a store; None otherwise."""
    user_id = learner_id(get_config()) or known
    if user_id is None or runtime.store is None:
        return None
    return Progress(runtime.store, user_id)


@instrumented("explain")
async def explain(state: LessonState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    from agents.crewai_adapter.teams import lesson_explain
    from tools.concepts import resolve_name

    progress = learner_progress(runtime)  # a bad user id fails before any model call
    concept = resolve_name(state.get("concept") or "")
    draft = await lesson_explain(concept, runtime.context.gateway, on_event=emitter("explain"))
    update: dict[str, Any] = {
        "concept": draft.concept,
        "title": draft.title,
        "explanation": draft.explanation,
        "worked_example": draft.worked_example.model_dump(),
        "errata": draft.errata,
        "quiz": [q.model_dump() for q in draft.quiz],
    }
    if progress is not None:
        before = await progress.concept(draft.concept)
        others = [name for name in await progress.concepts_seen() if name != draft.concept]
        note = progress_note(draft.title, before, others)
        await progress.record_lesson(draft.concept, draft.title)
        update["learner"] = {
            "user_id": progress.user_id, "seen_before": before is not None, "concepts_seen": others, "note": note,
        }
        if note:
            update["explanation"] = f"{note}\n\n{draft.explanation}"
    return update


def normalise_answers(raw: Any, expected: int) -> list[str]:
    """Accept {"answers": [...]}, a bare list, or one string per question; pad missing with ''."""
    if isinstance(raw, dict):
        raw = raw.get("answers", [])
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise ValueError("answers must be a list of strings or {'answers': [...]}")
    answers = [str(a) for a in raw][:expected]
    return answers + [""] * (expected - len(answers))


async def ask(state: LessonState) -> dict[str, Any]:
    """Pause the run until the learner answers; the interrupt value is what they see."""
    questions = [q["question"] for q in state.get("quiz", [])]
    reply = interrupt(
        {
            "concept": state.get("concept"),
            "questions": questions,
            "instructions": 'Resume with {"answers": ["...", ...]}, one answer per question.',
        }
    )
    return {"answers": normalise_answers(reply, len(questions))}


@instrumented("grade")
async def grade(state: LessonState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    from agents.crewai_adapter.teams import lesson_grade

    grades = await lesson_grade(
        state.get("quiz", []), state.get("answers", []), runtime.context.gateway, on_event=emitter("grade")
    )
    title = state.get("title") or state.get("concept") or ""
    update: dict[str, Any] = {
        "grades": grades.model_dump(exclude={"steps", "usage"}),
        "answer": f"Score {grades.total:g}/{grades.max_total:g} on {title}",
    }
    progress = learner_progress(runtime, state.get("learner", {}).get("user_id"))
    concept = state.get("concept")
    if progress is not None and concept:
        remembered = await progress.record_quiz(concept, title, grades.total, grades.max_total)
        update["learner"] = {
            **state.get("learner", {}), "user_id": progress.user_id,
            "last_score": remembered["last_score"], "best_score": remembered["best_score"],
        }
    return update


def build() -> StateGraph[Any, Any, Any, Any]:
    graph = StateGraph(LessonState, context_schema=WorkflowContext, input_schema=LessonInput)
    graph.add_node("explain", explain)
    graph.add_node("ask", ask)
    graph.add_node("grade", grade)
    graph.add_edge(START, "explain")
    graph.add_edge("explain", "ask")
    graph.add_edge("ask", "grade")
    graph.add_edge("grade", END)
    return graph
