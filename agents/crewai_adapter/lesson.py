"""The lesson crew, in two phases so a workflow can wait for the learner in between.

Phase 1 (`lesson_explain`): the tutor explains with a worked example computed by the
concept's tool, then the evaluator writes the quiz from the concept's quiz items.
Phase 2 (`lesson_grade`): the evaluator grades the learner's answers with the grounded
grader (agents.grading): numbers and sets are checked against the concept's computation,
free text against the reference answer, and an answer that contradicts it never gets full
marks. Every number and every grading key comes from the concept registry, so even a weak
model yields a correct lesson; the model's words are the added value.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from typing import Any, Literal

from crewai import Task
from pydantic import BaseModel, Field

from agents.concept_tools import concept_tool_specs
from agents.grading import Grade, find_reference
from agents.grading.request import GradingRequest
from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions, Usage
from agents.personas import AgentStep, get_persona
from tools.concepts import Concept, get_concept
from tools.grounding import is_scaffolding
from tools.grounding.numbers import unsupported_numbers

from .events import EventCallback, EventSink, StepRecorder
from .grading import EXPECTED_OUTPUT, grading_agent, record_computation
from .parsing import overlap_score, parse_questions
from .run import kickoff_crew, persona_agent, resolve_model_info, sequential_crew, with_options
from .tools import MAX_RESULT_CHARS


class WorkedExample(BaseModel):
    """The concept's example input and what its tool computed for it."""

    inputs: dict[str, Any]
    result: Any


class QuizQuestion(BaseModel):
    question: str
    answer: str = Field(description="The reference answer: the grading key.")


class LessonDraft(BaseModel):
    """Phase 1 output: what the learner reads, and the quiz they answer."""

    concept: str
    title: str
    explanation: str
    explanation_source: Literal["model", "reference"] = "model"
    worked_example: WorkedExample
    quiz: list[QuizQuestion]
    quiz_source: Literal["model", "reference", "mixed"] = "reference"
    errata: list[str] = Field(default_factory=list)
    steps: list[AgentStep] = Field(default_factory=list)
    usage: list[Usage] = Field(default_factory=list)
    stop_reason: str = "completed"


class GradeItem(BaseModel):
    question: str
    reference: str
    answer: str
    score: float = Field(ge=0.0, le=1.0)
    feedback: str
    method: Literal["exact", "set", "checks", "judge", "none", "overlap"] = Field(
        description="How the grounded grader decided (agents.grading.GradeMethod); 'overlap' when grading "
        "did not finish in time and the share of the reference's key terms stands in."
    )


class LessonGrades(BaseModel):
    """Phase 2 output: a 0..1 score and feedback per question."""

    items: list[GradeItem]
    total: float
    max_total: float
    steps: list[AgentStep] = Field(default_factory=list)
    usage: list[Usage] = Field(default_factory=list)
    stop_reason: str = "completed"


class LessonResult(BaseModel):
    draft: LessonDraft
    grades: LessonGrades

    @property
    def usage(self) -> list[Usage]:
        return [*self.draft.usage, *self.grades.usage]


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _explain_description(
    title: str, explanation: str, tool: str, example: dict[str, Any], result: str, errata: list[str]
) -> str:
    lines = [
        f'Teach the concept "{title}" to a learner.',
        f"Reference notes: {explanation}",
        f"Worked example (already computed): the tool {tool} was run with input {json.dumps(example)} "
        f"and returned {result}",
        f"You may call {tool} yourself, but quote these computed numbers exactly and never invent others.",
    ]
    if errata:
        lines.append("Errata in the course notes: " + " ".join(errata))
    lines.append("Write a plain-words explanation, then the worked example with its numbers, then any errata.")
    return "\n".join(lines)


def _quiz_description(title: str, quiz: Sequence[QuizQuestion]) -> str:
    items = "\n".join(f"Q{i}: {q.question} (reference answer: {q.answer})" for i, q in enumerate(quiz, 1))
    return (
        f'Write a quiz of {len(quiz)} questions for a learner who has just studied "{title}". '
        "Base question n on reference item n below; the reference answers are the grading key, do not reveal them.\n"
        f"{items}\nReply with exactly one line per question: Q1: <question>, Q2: <question>, and so on."
    )


def _quiz_from(text: str, reference: Sequence[QuizQuestion]) -> tuple[list[QuizQuestion], str]:
    asked = parse_questions(text)
    quiz = [QuizQuestion(question=asked.get(i, ref.question), answer=ref.answer) for i, ref in enumerate(reference, 1)]
    used = sum(1 for i in range(1, len(reference) + 1) if i in asked)
    source = "model" if used == len(reference) else "reference" if used == 0 else "mixed"
    return quiz, source


async def lesson_explain(
    concept_name: str,
    gateway: Gateway,
    *,
    on_event: EventCallback | None = None,
    options: GenerationOptions | None = None,
    timeout_s: float | None = None,
) -> LessonDraft:
    """Phase 1: tutor explanation with a computed worked example, then the evaluator's quiz.

    The concept's example is run through its tool here first and handed to the tutor, so
    the draft's numbers are real whatever the model does. A timeout still returns a draft
    (stop_reason "timeout", reference text where the model had not answered).
    """
    concept = get_concept(concept_name)
    spec = concept_tool_specs([concept.name])[0]
    computed = spec.run(concept.example)
    worked = WorkedExample(inputs=concept.example, result=_json_or_text(computed))
    result_text = computed[:MAX_RESULT_CHARS]
    reference_quiz = [QuizQuestion(question=q.question, answer=q.answer) for q in concept.quiz]

    tutor = with_options(get_persona("tutor"), options, timeout_s)
    evaluator = with_options(get_persona("evaluator"), options, timeout_s)
    sink = EventSink(asyncio.get_running_loop(), on_event)
    info = await resolve_model_info(gateway, tutor.model)
    if not info.supports_tools:
        return _reference_draft(concept, worked, reference_quiz, StepRecorder(sink, tutor.name), spec.name, computed)
    t_agent, t_llm, t_rec = persona_agent(tutor, gateway, sink, info, [spec])
    e_agent, e_llm, e_rec = persona_agent(evaluator, gateway, sink, info)
    explain = Task(
        description=_explain_description(
            concept.title, concept.explanation, spec.name, concept.example, result_text, concept.notes_errata
        ),
        expected_output="An explanation in plain words, the worked example with the computed numbers, the errata.",
        agent=t_agent,
        context=[],
    )
    quiz_task = Task(
        description=_quiz_description(concept.title, reference_quiz),
        expected_output="One line per question: Q1: ..., Q2: ...",
        agent=e_agent,
        context=[explain],
    )
    _, reason = await kickoff_crew(
        sequential_crew([t_agent, e_agent], [explain, quiz_task]), [t_llm, e_llm], timeout_s or tutor.timeout_s
    )
    explanation = explain.output.raw.strip() if explain.output is not None else ""
    verified = f"{concept.explanation} {json.dumps(concept.example)} {computed}"
    if not trustworthy_explanation(explanation, info.supports_tools, verified):
        explanation = ""  # the verified reference explanation is shown instead
    quiz_text = quiz_task.output.raw if quiz_task.output is not None else ""
    quiz, quiz_source = _quiz_from(quiz_text, reference_quiz)
    if explanation:
        t_rec.message(explanation, phase="explain")
    if quiz_text:
        e_rec.message(quiz_text, phase="quiz")
    return LessonDraft(
        concept=concept.name,
        title=concept.title,
        explanation=explanation or concept.explanation,
        explanation_source="model" if explanation else "reference",
        worked_example=worked,
        quiz=quiz,
        quiz_source=quiz_source,  # type: ignore[arg-type]
        errata=list(concept.notes_errata),
        steps=[*t_rec.steps, *e_rec.steps],
        usage=[*t_llm.usage, *e_llm.usage],
        stop_reason=reason,
    )


def _reference_draft(
    concept: Concept,
    worked: WorkedExample,
    quiz: list[QuizQuestion],
    recorder: StepRecorder,
    tool: str,
    computed: str,
) -> LessonDraft:
    """The lesson from verified parts only, for a model without native tool calling.

    A small base model's explanation and quiz echoed the crew's ReAct template and restated
    the notes' errors ("chosen until it exceeds"), and were then discarded anyway; streaming
    them to the learner first was the bug. The concept run is still reported as a tool call.
    """
    recorder.tool_event("tool_call", {"tool": tool, "arguments": concept.example})
    recorder.tool_event("tool_result", {"tool": tool, "result": computed[:MAX_RESULT_CHARS]})
    return LessonDraft(
        concept=concept.name,
        title=concept.title,
        explanation=concept.explanation,
        explanation_source="reference",
        worked_example=worked,
        quiz=quiz,
        quiz_source="reference",
        errata=list(concept.notes_errata),
        steps=recorder.steps,
    )


def trustworthy_explanation(text: str, capable: bool, verified: str) -> bool:
    """A model's explanation is shown only from a model with native tool calling, free of scaffolding,
    quoting no number the verified text does not hold (a small base model echoed the ReAct template)."""
    return bool(text) and capable and not is_scaffolding(text) and not unsupported_numbers(text, verified)


def _grade_description(item: QuizQuestion, answer: str) -> str:
    return (
        "Grade a learner's answer to a quiz question against the reference answer.\n"
        f"Question: {item.question}\nReference answer: {item.answer}\nLearner's answer: {answer}"
    )


def _as_quiz(draft_or_quiz: LessonDraft | Sequence[Any]) -> list[QuizQuestion]:
    if isinstance(draft_or_quiz, LessonDraft):
        return list(draft_or_quiz.quiz)
    return [QuizQuestion.model_validate(q, from_attributes=not isinstance(q, dict)) for q in draft_or_quiz]


def _graded(item: QuizQuestion, answer: str, grade: Grade) -> GradeItem:
    feedback = "\n".join(f"- {r}" for r in grade.reasons) or grade.verdict
    return GradeItem(
        question=item.question,
        reference=item.answer,
        answer=answer,
        score=round(grade.score / 10, 3),
        feedback=feedback,
        method=grade.method,
    )


def _ungraded(item: QuizQuestion, answer: str) -> GradeItem:
    """No answer (0, no model call), or grading that ran out of time: the reference's key terms present."""
    if not answer.strip():
        return GradeItem(
            question=item.question,
            reference=item.answer,
            answer=answer,
            score=0.0,
            feedback="No answer given.",
            method="none",
        )
    score = overlap_score(answer, item.answer)
    feedback = (
        f"Grading did not finish; your answer contains {score:.0%} of the reference answer's key terms. "
        f"Reference: {item.answer}"
    )
    return GradeItem(
        question=item.question, reference=item.answer, answer=answer, score=score, feedback=feedback, method="overlap"
    )


async def lesson_grade(
    draft_or_quiz: LessonDraft | Sequence[Any],
    answers: Sequence[str],
    gateway: Gateway,
    *,
    on_event: EventCallback | None = None,
    options: GenerationOptions | None = None,
    timeout_s: float | None = None,
    concept: str | None = None,
) -> LessonGrades:
    """Phase 2: one grading task per answered question, each run by a grounded grading agent.

    `draft_or_quiz` is a LessonDraft or a list of {question, answer} items (dicts,
    QuizQuestion or the registry's QuizItem); each item's answer is the reference. The
    concept is the draft's, `concept`, or found from the items. Blank answers score 0
    without a model call; numeric and set answers need none either.
    """
    quiz = _as_quiz(draft_or_quiz)
    if concept is None and isinstance(draft_or_quiz, LessonDraft):
        concept = draft_or_quiz.concept
    padded = [*answers, *[""] * max(0, len(quiz) - len(answers))][: len(quiz)]
    evaluator = with_options(get_persona("evaluator"), options, timeout_s)
    loop = asyncio.get_running_loop()
    recorder = StepRecorder(EventSink(loop, on_event), evaluator.name)
    todo = [(i, q, a) for i, (q, a) in enumerate(zip(quiz, padded, strict=True)) if a.strip()]
    grades: dict[int, Grade] = {}
    usage: list[Usage] = []
    reason = "completed"
    if todo:
        info = await resolve_model_info(gateway, evaluator.model)
        graders = []
        for _, item, answer in todo:
            reference = find_reference(
                item.question,
                answer=answer,
                concept=concept,
                quiz_item={"question": item.question, "answer": item.answer},
            )
            assert reference is not None  # a quiz item is always its own reference
            graders.append(
                grading_agent(evaluator, gateway, loop, info, GradingRequest(item.question, answer), reference)
            )
        tasks = [
            Task(description=_grade_description(item, answer), expected_output=EXPECTED_OUTPUT, agent=agent, context=[])
            for (_, item, answer), (agent, _) in zip(todo, graders, strict=True)
        ]
        _, reason = await kickoff_crew(
            sequential_crew([agent for agent, _ in graders], tasks),
            [llm for _, llm in graders],
            timeout_s or evaluator.timeout_s,
        )
        for (i, _, _), (agent, llm), task in zip(todo, graders, tasks, strict=True):
            if agent.grade is not None:
                grades[i] = agent.grade
                record_computation(recorder, agent.reference)
                recorder.message(
                    task.output.raw if task.output is not None else agent.grade.render(), phase="grade", question=i
                )
            usage += [*llm.usage, *agent.judge_usage]
    items = [
        _graded(q, a, grades[i]) if i in grades else _ungraded(q, a)
        for i, (q, a) in enumerate(zip(quiz, padded, strict=True))
    ]
    return LessonGrades(
        items=items,
        total=round(sum(item.score for item in items), 3),
        max_total=float(len(items)),
        steps=recorder.steps,
        usage=usage,
        stop_reason=reason,
    )


async def run_lesson_crew(
    concept: str,
    answers: Sequence[str],
    gateway: Gateway,
    *,
    on_event: EventCallback | None = None,
    options: GenerationOptions | None = None,
    timeout_s: float | None = None,
) -> LessonResult:
    """Both phases back to back (answers known up front), sharing one time budget."""
    started = time.monotonic()
    draft = await lesson_explain(concept, gateway, on_event=on_event, options=options, timeout_s=timeout_s)
    remaining = None if timeout_s is None else max(1.0, timeout_s - (time.monotonic() - started))
    grades = await lesson_grade(draft, answers, gateway, on_event=on_event, options=options, timeout_s=remaining)
    return LessonResult(draft=draft, grades=grades)


__all__ = [
    "GradeItem",
    "LessonDraft",
    "LessonGrades",
    "LessonResult",
    "QuizQuestion",
    "WorkedExample",
    "lesson_explain",
    "lesson_grade",
    "run_lesson_crew",
]
