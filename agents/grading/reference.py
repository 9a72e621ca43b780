"""Find what an answer must be checked against: the concept, its quiz answer, its computation.

The concept comes from the course index (`agents.knowledge`), or from the caller when it
knows it (the lesson knows its quiz item). The reference answer is the concept's quiz
answer when the question is one of its quiz questions, else the explanation sentences
that best answer it. When the question carries values ("x=(2,3,1)", "p = 0.8"), the
concept's own computation runs on them and its results are the expected numbers or set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tools.concepts import Concept, QuizItem, get_concept, list_concepts
from tools.grading.contradiction import strip_quotes
from tools.grading.inputs import field_kind, parse_inputs
from tools.grading.numbers import extract_numbers, rejected_values, stated_results
from tools.grading.text import content_stems, normalize, stem

from .text_select import best_sentences, similarity

#: A quiz question counts as the asked one when it shares this share of content stems.
QUIZ_MATCH = 0.6
#: The course index's concept score (negated bm25) below which nothing in the course matches.
MIN_CONCEPT_SCORE = 12.0
#: ...and how far ahead of the runner-up the best concept must be.
CONCEPT_MARGIN = 1.5

_EXPLAINING = re.compile(
    r"^\s*(?:why|explain|describe|what (?:is|are) the (?:difference|role|purpose|main cost|intuition)|"
    r"how (?:does|do|did|is|are|can)|(?:is|are|was|were|does|do|did|can|could|should|will|would|has|have)\b)",
    re.IGNORECASE,
)
_SET_QUESTION = re.compile(
    r"\bwhich\b.*\b(?:kept|keep|keeps|survive|survives|selected|remain|remains|chosen|in the nucleus|left)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reference:
    """Everything the checks and the judge compare an answer with (`concept` None: a quiz item only)."""

    concept: str | None
    title: str
    question: str
    answer: str
    explanation: str
    errata: tuple[str, ...] = ()
    quiz_index: int | None = None
    inputs: dict[str, Any] | None = None
    computed: dict[str, Any] | None = None
    expected: tuple[float, ...] = ()
    rejected: tuple[float, ...] = ()
    universe: dict[str, float] | None = None
    expected_set: frozenset[str] | None = None
    context: tuple[str, ...] = field(default_factory=tuple)
    claim: bool = False

    @property
    def kind(self) -> str:
        """set, numeric or text: which check decides."""
        if self.expected_set is not None and self.universe is not None:
            return "set"
        return "numeric" if self.expected else "text"


def concepts_for(query: str) -> list[tuple[str, float]]:
    """Concepts the query is about, best first, from the course index."""
    try:
        from agents.knowledge import course_index
    except ImportError:  # the index is optional: fall back to the registry's own text
        return _registry_concepts(query)
    return course_index().concepts_for(query, limit=3)


def _registry_concepts(query: str) -> list[tuple[str, float]]:
    """Small fallback: concepts whose name, title or quiz questions share the most words with the query."""
    wanted = content_stems(query)
    scored = []
    for concept in list_concepts():
        names = content_stems(concept.title) | {stem(concept.name)}
        quiz = max((similarity(query, q.question) for q in concept.quiz), default=0.0)
        score = 20.0 * len(wanted & names) + 40.0 * quiz
        if score:
            scored.append((concept.name, score))
    return sorted(scored, key=lambda item: -item[1])[:3]


def quiz_concept(query: str) -> str | None:
    """The concept one of whose quiz questions is the query (the registry's own quiz, any concept)."""
    scored = [(similarity(query, q.question), c.name) for c in list_concepts() for q in c.quiz]
    best = max(scored, default=(0.0, ""))
    return best[1] if best[0] >= QUIZ_MATCH else None


def choose_concept(query: str) -> str | None:
    """The one concept clearly about `query`: the owner of a matching quiz question, else the course
    index's clear favourite; None when the course has nothing (or too much) on it."""
    by_quiz = quiz_concept(query)
    if by_quiz is not None:
        return by_quiz
    ranked = concepts_for(query)
    if not ranked or ranked[0][1] < MIN_CONCEPT_SCORE:
        return None
    if len(ranked) > 1 and ranked[0][1] < CONCEPT_MARGIN * ranked[1][1]:
        return None
    return ranked[0][0]


def match_quiz(concept: Concept, question: str) -> int | None:
    """The index of the concept's quiz question that is the asked one, if any: the same words and the
    same values ("r_a - r_b = 0" is not the quiz's "r_a - r_b = ln 3", whose answer would not apply)."""
    best = max(range(len(concept.quiz)), key=lambda i: similarity(question, concept.quiz[i].question), default=None)
    if best is None:
        return None
    quiz_question = concept.quiz[best].question
    if normalize(quiz_question).strip() == normalize(question).strip():
        return best
    if _values_in(quiz_question) != _values_in(question):
        return None
    return best if similarity(question, quiz_question) >= QUIZ_MATCH else None


def _values_in(text: str) -> list[float]:
    return sorted(round(n.value, 9) for n in extract_numbers(text, words=False))


def asks_for_value(question: str) -> bool:
    """Whether the question asks for a value (what/how much/which) rather than an explanation (why/how/is)."""
    return bool(question.strip()) and not _EXPLAINING.match(normalize(question))


def find_reference(
    question: str,
    *,
    answer: str = "",
    concept: str | None = None,
    quiz_item: QuizItem | Mapping[str, str] | None = None,
) -> Reference | None:
    """The reference for grading `answer` to `question`; None when the course has nothing on it.

    `concept` (a registry name or alias) skips the concept search; `quiz_item` ({question,
    answer}) is the exact reference answer, as the lesson knows it. An unknown `concept`
    raises KeyError. Without a question the answer is a claim ("Is this right? CLAIM") and
    is matched on its own words.
    """
    item = None
    if quiz_item is not None:
        item = quiz_item if isinstance(quiz_item, QuizItem) else QuizItem.model_validate(dict(quiz_item))
    name = concept or (_owner(item) if item is not None else None)
    name = name or choose_concept(question or answer) or (choose_concept(answer) if question and answer else None)
    if name is None:
        return _quiz_only(item, question) if item is not None else None
    found = get_concept(name)
    asked = question or answer
    index: int | None
    if item is not None:
        index = next(
            (i for i, q in enumerate(found.quiz) if item.answer in (q.answer, "") or q.question == item.question), None
        )
        reference_answer = item.answer
        asked = question or item.question
    else:
        index = match_quiz(found, asked)
        reference_answer = found.quiz[index].answer if index is not None else ""
    corrections = tuple(strip_quotes(e) for e in found.notes_errata)
    if not reference_answer:
        pool = " ".join([found.explanation, *(_correction(c) for c in corrections)])
        reference_answer = best_sentences(pool, asked) or found.explanation
    inputs, computed = _compute(found, asked)
    expected, universe, expected_set = _expected(asked, found, inputs, computed, reference_answer, index is not None)
    return Reference(
        concept=found.name,
        title=found.title,
        question=asked,
        answer=reference_answer,
        explanation=found.explanation,
        errata=tuple(found.notes_errata),
        quiz_index=index,
        inputs=inputs,
        computed=computed,
        expected=expected,
        rejected=tuple(rejected_values(reference_answer)),
        universe=universe,
        expected_set=expected_set,
        context=(found.explanation, *corrections),
        claim=not question and quiz_item is None,
    )


def _owner(item: QuizItem) -> str | None:
    """The concept whose quiz holds this item (the lesson's items are the registry's, maybe reworded)."""
    for concept in list_concepts():
        if any(q.answer == item.answer or q.question == item.question for q in concept.quiz):
            return concept.name
    return None


def _quiz_only(item: QuizItem, question: str) -> Reference:
    """A reference made of a quiz item alone, for a quiz that is not from the concept lab."""
    asked = question or item.question
    return Reference(
        concept=None,
        title="",
        question=asked,
        answer=item.answer,
        explanation="",
        expected=tuple(n.value for n in stated_results(item.answer)) if asks_for_value(asked) else (),
        rejected=tuple(rejected_values(item.answer)),
    )


def _correction(erratum: str) -> str:
    """An erratum without its "Line 451:" prefix, ending with a full stop so it splits into sentences."""
    text = re.sub(r"^\s*Lines?\s[^:]{1,40}:\s*", "", erratum).strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _compute(concept: Concept, question: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The concept's computation on the values the question states, if they make a valid input."""
    inputs = parse_inputs(question, concept.input_model)
    if inputs is None:
        return None, None
    try:
        return inputs, concept.execute(inputs)
    except (ValueError, ArithmeticError):
        return inputs, None


def _expected(
    question: str,
    concept: Concept,
    inputs: dict[str, Any] | None,
    computed: dict[str, Any] | None,
    reference_answer: str,
    from_quiz: bool,
) -> tuple[tuple[float, ...], dict[str, float] | None, frozenset[str] | None]:
    """(expected numbers, set universe, expected set) for a question that asks for values."""
    if not asks_for_value(question):
        return (), None, None
    if _SET_QUESTION.search(question) and inputs and computed:
        fields = concept.input_model.model_fields
        universe = next((v for k, v in inputs.items() if field_kind(fields[k].annotation) == "number_map"), None)
        if universe:
            kept = next((v for v in computed.values() if isinstance(v, dict) and v and set(v) <= set(universe)), None)
            if kept is not None:
                return (), {k: float(v) for k, v in universe.items()}, frozenset(kept)
    if computed:
        values = _asked_values(question, computed)
        if values:
            return tuple(values), None, None
    if from_quiz:
        return tuple(n.value for n in stated_results(reference_answer)), None, None
    return (), None, None


def _asked_values(question: str, computed: dict[str, Any]) -> list[float]:
    """The computed values the question names ("what are z and y?"), else the first numeric result."""
    words = set(re.findall(r"[a-z][a-z0-9]*", normalize(question).lower()))
    named: list[float] = []
    for key, value in computed.items():
        parts = [p for p in key.lower().split("_") if p]
        if parts and all(p in words for p in parts):
            named.extend(_numbers(value))
    if named:
        return named
    for value in computed.values():
        numbers = _numbers(value)
        if numbers:
            return numbers
    return []


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, list) and value and all(_numbers(v) for v in value):
        return [float(v) for v in value]
    return []


__all__ = [
    "CONCEPT_MARGIN",
    "MIN_CONCEPT_SCORE",
    "QUIZ_MATCH",
    "Reference",
    "asks_for_value",
    "best_sentences",
    "choose_concept",
    "concepts_for",
    "find_reference",
    "match_quiz",
    "quiz_concept",
    "similarity",
]
