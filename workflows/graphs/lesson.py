"""`lesson`: the lesson crew explains a concept and writes a quiz, the graph pauses for the
learner's answers (LangGraph `interrupt`), and on resume the evaluator grades them.

The pause is a checkpoint: the learner can answer hours later, from another process.
"""

from __future__ import annotations

from typing import Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from workflows.context import WorkflowContext
from workflows.events import emitter, instrumented
from workflows.inputs import InvalidInput


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


def check_input(value: dict[str, Any]) -> None:
    """A new lesson needs a concept the course has; the message lists the known ones."""
    from tools.concepts import CONCEPTS, resolve_name

    concept = str(value.get("concept") or "")
    if resolve_name(concept) not in CONCEPTS:
        known = ", ".join(sorted(CONCEPTS))
        raise InvalidInput("concept", f"unknown concept {concept!r}; known: {known}")


@instrumented("explain")
async def explain(state: LessonState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    from agents.crewai_adapter.teams import lesson_explain
    from tools.concepts import resolve_name

    concept = resolve_name(state.get("concept") or "")
    draft = await lesson_explain(concept, runtime.context.gateway, on_event=emitter("explain"))
    return {
        "concept": draft.concept,
        "title": draft.title,
        "explanation": draft.explanation,
        "worked_example": draft.worked_example.model_dump(),
        "errata": draft.errata,
        "quiz": [q.model_dump() for q in draft.quiz],
    }


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
    summary = f"{grades.total:g}/{grades.max_total:g}"
    return {
        "grades": grades.model_dump(exclude={"steps", "usage"}),
        "answer": f"Score {summary} on {state.get('title') or state.get('concept')}",
    }


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
