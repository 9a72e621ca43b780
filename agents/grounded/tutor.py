"""The grounded tutor: retrieve, compute, then answer from what was verified.

For each question: find the concepts and notes passages it is about (the course index),
run the concept on the question's values when it gives any (arguments read by the model
under constrained decoding, then validated), and compose the reply from verified parts:
a direct answer quoting the computed result or the concept's reference answer, the
concept's explanation, the errata that apply, and citations. The model writes one
connecting sentence at most, and only if it passes `acceptable_prose`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from agents.knowledge import Hit, course_index
from agents.llm.gateway import Gateway
from agents.llm.types import ChatMessage
from tools.concepts import Concept, QuizItem, get_concept
from tools.concepts.registry import ALIASES
from tools.course.errata import ErratumKind, erratum_kind
from tools.grounding import headline, numbers_in
from tools.grounding.text import content_tokens, coverage, match_both_ways, rank_sentences, sentences, similarity

from .answer import Citation, Computation, GroundedAnswer
from .arguments import Extraction, consistent_readings, extract_arguments, extraction_schema, is_flat
from .prose import connecting_prose

EventCallback = Callable[[str, dict[str, Any]], None]

#: A question this close to a quiz question is answered with the quiz's reference answer ...
QUIZ_MATCH = 0.6
#: ... provided each covers at least this share of the other's words.
QUIZ_BOTH_WAYS = 0.35
#: An erratum must cover this share of a notes question's words to be quoted as the correction.
ERRATUM_MATCH = 0.3
#: A concept this relevant (negated bm25, summed over its hits) is about the question outright ...
SURE_CONCEPT_SCORE = 15.0
#: ... and one at least this relevant is, if the question also names it (a word of its name, title or aliases).
MIN_CONCEPT_SCORE = 4.0
_NOTES_QUESTION = re.compile(
    r"\bnotes?\b|\bcourse\b|\bis (?:that|this|it) (?:right|correct|true)\b|\bcorrect\?|\bright\?|\btrue\?",
    re.IGNORECASE,
)
#: How a correction opens, by the erratum's kind (tools.course.errata).
ERRATUM_LEADS: dict[ErratumKind, str] = {
    "wrong": "The notes are wrong here.",
    "imprecise": "The notes are imprecise here.",
    "outdated": "The notes' code is outdated here.",
}
_EXAMPLE_WANTED = re.compile(r"\bexamples?\b|\bcompute\b|\bcalculate\b|\bworked\b|\bshow\b|\bdemonstrat", re.I)


@dataclass
class Route:
    """What the question is about: candidate concepts (best first) and the index's hits."""

    concepts: list[tuple[str, float]]
    hits: list[Hit]

    question: str = ""

    @property
    def concept(self) -> str | None:
        if not self.concepts:
            return None
        name, score = self.concepts[0]
        if score >= SURE_CONCEPT_SCORE or (score >= MIN_CONCEPT_SCORE and names_concept(self.question, name)):
            return name
        return None


def names_concept(question: str, name: str) -> bool:
    """Whether the question uses a word of the concept's name, title, section or aliases.

    bm25 alone matches "Write a poem about cats" to beam search (its example is about a cat);
    a question about a concept names it.
    """
    concept = get_concept(name)
    aliases = " ".join(alias for alias, target in ALIASES.items() if target == name)
    label = f"{name.replace('_', ' ')} {concept.title} {concept.section} {aliases.replace('_', ' ')}"
    return bool(content_tokens(question) & content_tokens(label))


def asks_about_notes(question: str) -> bool:
    return _NOTES_QUESTION.search(question) is not None


def route_question(question: str, history: Sequence[ChatMessage] = ()) -> Route:
    """Concepts and passages for the question; a follow-up borrows the previous user turn's topic."""
    index = course_index()
    route = Route(index.concepts_for(question, limit=3), index.search(question, limit=12), question)
    if route.concept is None:
        earlier = [m.content for m in history if m.role == "user"]
        if earlier:
            combined = f"{earlier[-1]} {question}"
            route = Route(index.concepts_for(combined, limit=3), index.search(combined, limit=12), combined)
    return route


def best_quiz(question: str, names: Sequence[str]) -> tuple[Concept, int, float] | None:
    """The quiz item (among these concepts') closest to the question, with its similarity."""
    best: tuple[Concept, int, float] | None = None
    for name in names:
        concept = get_concept(name)
        for i, item in enumerate(concept.quiz):
            score = similarity(question, item.question)
            if best is None or score > best[2]:
                best = (concept, i, score)
    return best


def quiz_applies(question: str, item: QuizItem, score: float, title: str = "") -> bool:
    """A close match whose values (if the question gives any) are the quiz question's own.

    Numbers that are part of the concept's name ("IBM Model 1") are not values.
    """
    if score < QUIZ_MATCH or match_both_ways(question, item.question) < QUIZ_BOTH_WAYS:
        return False
    known = numbers_in(item.question) + numbers_in(title)
    return all(any(abs(n - q) < 1e-9 for q in known) for n in numbers_in(question))


def best_erratum(question: str, route: Route) -> tuple[str, str, float] | None:
    """(concept, erratum, coverage) for the erratum that best matches a question about the notes."""
    names = [name for name, _ in route.concepts]
    names += [h.concept for h in route.hits if h.kind == "erratum" and h.concept and h.concept not in names]
    best: tuple[str, str, float] | None = None
    for name in names:
        for item in get_concept(name).notes_errata:
            score = coverage(question, item)
            if best is None or score > best[2]:
                best = (name, item, score)
    return best if best is not None and best[2] >= ERRATUM_MATCH else None


def relevant_errata(concept: Concept, question: str, limit: int = 3) -> list[str]:
    """The concept's errata, those closest to the question first."""
    ranked = sorted(concept.notes_errata, key=lambda e: -coverage(question, e))
    return ranked[:limit]


def explanation_answer(concept: Concept, question: str) -> str:
    """The two explanation sentences that best answer a conceptual question, in their original order."""
    parts = sentences(concept.explanation)
    ranked = rank_sentences(question, parts)[:2]
    return " ".join(parts[i] for i in sorted(ranked))


async def compute(
    gateway: Gateway,
    concept: Concept,
    question: str,
    on_event: EventCallback | None,
    *,
    reference_answered: bool = False,
    topic: str | None = None,
) -> Computation:
    """Run the concept on the question's values (or its example), reporting it as a tool call.

    When a reference answer already covers the question, values are read only if that is
    cheap (every input a choice among the question's values); otherwise the example is run.
    """
    readings = None
    if reference_answered and numbers_in(question):
        schema = extraction_schema(concept, question, topic)
        readings = consistent_readings(concept, question, schema) if is_flat(schema) else None
    if reference_answered and (readings is None or len(readings) != 1):
        # the reference answer stands; a guessed reading would only add noise next to it
        extraction = Extraction(dict(concept.example), "example", ["a reference answer covers the question"], 0)
    elif readings is not None:
        extraction = Extraction(readings[0], "question", [], 0)
    else:
        extraction = await extract_arguments(gateway, concept, question, topic)
    tool = f"concept_{concept.name}"
    _emit(on_event, "tool_call", {"tool": tool, "arguments": extraction.arguments, "source": extraction.source})
    result = concept.execute(extraction.arguments)
    line = headline(concept.name, extraction.arguments, result)
    _emit(on_event, "tool_result", {"tool": tool, "result": line})
    return Computation(
        concept=concept.name,
        arguments=extraction.arguments,
        result=result,
        headline=line,
        source=extraction.source,
        problems=extraction.problems,
    )


def citations_for(concept: Concept, route: Route, erratum: str | None) -> list[Citation]:
    """The concept, then the notes passages the index found for this concept's section (at most three)."""
    cited = [Citation(kind="concept", concept=concept.name, title=concept.title)]
    if erratum is not None:
        start, end = _erratum_lines(route, erratum)
        cited.append(Citation(kind="erratum", concept=concept.name, title="erratum", line_start=start, line_end=end))
    notes = [h for h in route.hits if h.kind == "notes" and h.line_start is not None][:3]
    cited += [Citation(kind="notes", title=h.section, line_start=h.line_start, line_end=h.line_end) for h in notes]
    return cited


def _erratum_lines(route: Route, erratum: str) -> tuple[int | None, int | None]:
    for hit in route.hits:
        if hit.kind == "erratum" and hit.text.strip() == erratum.strip():
            return hit.line_start, hit.line_end
    for hit in course_index().search(erratum[:200], kinds=["erratum"], limit=3):
        if hit.text.strip() == erratum.strip():
            return hit.line_start, hit.line_end
    return None, None


def _emit(on_event: EventCallback | None, kind: str, data: dict[str, Any]) -> None:
    if on_event is not None:
        on_event(kind, data)


@dataclass
class Plan:
    """What to answer with, decided before any model call: the concept, a matching quiz item or erratum."""

    question: str
    route: Route
    concept: Concept | None
    quiz: tuple[Concept, int, float] | None = None
    erratum: tuple[str, str, float] | None = None

    @property
    def quiz_applies(self) -> bool:
        """A quiz item of the chosen concept answers this question with its own values."""
        if self.quiz is None or self.concept is None or self.quiz[0].name != self.concept.name:
            return False
        return quiz_applies(self.question, self.concept.quiz[self.quiz[1]], self.quiz[2], self.concept.title)

    @property
    def needs_computation(self) -> bool:
        """Compute when the question gives values, asks for an example, or there is no reference answer."""
        if self.concept is None or self.erratum is not None:  # a notes question's numbers are the notes' claims
            return False
        q = self.question
        return bool(numbers_in(q) or _EXAMPLE_WANTED.search(q) or not self.concept.quiz)


def plan_answer(question: str, history: Sequence[ChatMessage] = ()) -> Plan:
    """Stage 1 (no model call): route the question and pick the concept, quiz item and erratum."""
    route = route_question(question, history)
    if route.concept is None:
        return Plan(question, route, None)
    names = [name for name, _ in route.concepts]
    quiz = best_quiz(question, names)
    erratum = best_erratum(question, route) if asks_about_notes(question) else None
    chosen = erratum[0] if erratum else quiz[0].name if quiz and quiz[2] >= QUIZ_MATCH else names[0]
    return Plan(question, route, get_concept(chosen), quiz, erratum)


async def compose_answer(plan: Plan, computation: Computation | None, gateway: Gateway | None) -> GroundedAnswer:
    """Stage 3: the verified parts in order, plus one model sentence if `gateway` is given and it passes."""
    concept = plan.concept
    if concept is None:
        return _off_course(plan.question, plan.route)
    direct, source = _direct(plan.question, concept, plan.quiz, plan.erratum, computation)
    prose = await connecting_prose(gateway, plan.question, direct, concept.explanation) if gateway else None
    errata = relevant_errata(concept, plan.question)
    if plan.erratum is not None and plan.erratum[1] not in errata:
        errata = [plan.erratum[1], *errata[:2]]
    return GroundedAnswer(
        question=plan.question,
        concept=concept.name,
        concept_title=concept.title,
        direct=direct,
        direct_source=source,
        prose=prose,
        computation=computation,
        explanation=concept.explanation,
        errata=errata,
        citations=citations_for(concept, plan.route, plan.erratum[1] if plan.erratum else None),
        references=list(concept.references),
    )


async def answer_question(
    question: str,
    gateway: Gateway,
    *,
    history: Sequence[ChatMessage] = (),
    on_event: EventCallback | None = None,
    write_prose: bool = True,
) -> GroundedAnswer:
    """The tutor's grounded answer to `question`: plan, compute (stage 2), compose."""
    plan = plan_answer(question, history)
    _emit(on_event, "retrieval", retrieval_event(plan))
    computation = None
    if plan.concept is not None and plan.needs_computation:
        computation = await compute(
            gateway, plan.concept, question, on_event, reference_answered=plan.quiz_applies, topic=plan.route.question
        )
    prose_writer = gateway if write_prose and await writes_prose(gateway) else None
    return await compose_answer(plan, computation, prose_writer)


async def writes_prose(gateway: Gateway) -> bool:
    """Only an instruction model with native tool calling writes prose; a small base model's sentences were
    wrong too often to show (measured on Gemma 3 270M: "O(N·T)" for Viterbi, penalties "based on training data")."""
    info = await gateway.model_info()
    return info.supports_tools


def retrieval_event(plan: Plan) -> dict[str, Any]:
    return {
        "concepts": [[name, round(score, 3)] for name, score in plan.route.concepts],
        "chosen": plan.concept.name if plan.concept else None,
        "hits": [f"{h.kind}:{h.concept or h.section}" for h in plan.route.hits[:5]],
    }


def _direct(
    question: str,
    concept: Concept,
    quiz: tuple[Concept, int, float] | None,
    erratum: tuple[str, str, float] | None,
    computation: Computation | None,
) -> tuple[str, Any]:
    """The first paragraph: the correction, the computed result or the reference answer."""
    if erratum is not None:
        return f"**{ERRATUM_LEADS[erratum_kind(erratum[1]) or 'wrong']}** {erratum[1]}", "erratum"
    computed = computation is not None and not computation.from_example
    if quiz is not None and quiz[0].name == concept.name:
        item = concept.quiz[quiz[1]]
        if quiz_applies(question, item, quiz[2], concept.title):
            return f"**Answer.** {item.answer}", "quiz"
    if computed and computation is not None:
        return f"**Answer.** {computation.headline}", "computation"
    return f"**Answer.** {explanation_answer(concept, question)}", "explanation"


def _off_course(question: str, route: Route) -> GroundedAnswer:
    """No concept is about the question: say so and point at the nearest notes passage, if any."""
    notes = [h for h in route.hits if h.kind == "notes"][:2]
    pointer = (
        f' The closest passage in the notes is "{notes[0].section}" (lines {notes[0].line_start}-{notes[0].line_end}).'
        if notes
        else ""
    )
    return GroundedAnswer(
        question=question,
        direct=(
            "**I can only answer from the course, and no concept in it matches this question.**"
            f"{pointer} Try `thinkroom search` or ask about a concept by name (e.g. top-p, LayerNorm, pass@k)."
        ),
        direct_source="none",
        citations=[
            Citation(kind="notes", title=h.section, line_start=h.line_start, line_end=h.line_end) for h in notes
        ],
    )


__all__ = [
    "Plan",
    "Route",
    "answer_question",
    "asks_about_notes",
    "compose_answer",
    "compute",
    "plan_answer",
    "route_question",
]
