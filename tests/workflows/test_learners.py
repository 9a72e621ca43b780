"""The tutor's memory of a learner (workflows.learners) on LangGraph's in-memory store."""

from __future__ import annotations

import pytest
from langgraph.store.memory import InMemoryStore

from workflows.learners import Progress, learner_id, progress_namespace, progress_note


def test_the_user_id_comes_from_configurable_and_must_name_a_namespace() -> None:
    assert learner_id({"configurable": {"user_id": "ada"}}) == "ada"
    assert learner_id({"configurable": {}}) is None and learner_id({}) is None
    for bad in ("", "a.b", 7, "x" * 257):
        with pytest.raises(ValueError, match=r"configurable\.user_id"):
            learner_id({"configurable": {"user_id": bad}})


async def test_lessons_and_quizzes_accumulate_per_concept() -> None:
    store = InMemoryStore()
    ada = Progress(store, "ada")
    first = await ada.record_lesson("softmax", "Softmax")
    assert first["lessons"] == 1 and first["quizzes"] == []
    await ada.record_quiz("softmax", "Softmax", 1.0, 2.0)
    await ada.record_lesson("softmax", "Softmax")
    after = await ada.record_quiz("softmax", "Softmax", 0.0, 2.0)
    assert after["lessons"] == 2 and [q["score"] for q in after["quizzes"]] == [0.5, 0.0]
    assert after["last_score"] == 0.0 and after["best_score"] == 0.5
    await ada.record_lesson("rope", "RoPE")
    assert await ada.concepts_seen() == ["rope", "softmax"]
    assert await Progress(store, "bob").concepts_seen() == []  # one namespace per learner
    assert [ns for ns in store.list_namespaces()] == [progress_namespace("ada")]


def test_the_note_says_what_the_tutor_remembers() -> None:
    assert progress_note("Softmax", None, []) == ""
    assert progress_note("Softmax", None, ["rope"]) == "New for you: Softmax. You have already studied rope."
    many = progress_note("Softmax", None, [f"c{i}" for i in range(7)])
    assert many.endswith("c0, c1, c2, c3, c4 and 2 more.")
    back = progress_note("Softmax", {"lessons": 2, "last_score": 0.25, "best_score": 0.75}, [])
    assert back == (
        "Welcome back: you have studied Softmax before (2 lessons); your last quiz score was 25%, your best 75%."
    )
    assert progress_note("Softmax", {"lessons": 1}, []) == "Welcome back: you have studied Softmax before (1 lesson)."
