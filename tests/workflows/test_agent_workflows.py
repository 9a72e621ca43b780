"""chat, lesson and prompt_lab workflows through LangGraph with SQLite checkpoints (scripted model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langgraph.types import Command

from tests.agents.crewai.conftest import final
from tests.agents.crewai.test_teams import LAB_RULES, PROMPT, TEXT

from .helpers import run_workflow, scripted

LESSON_RULES = [
    {"pattern": r"strict evaluator.*Write a quiz", "response": final("Q1: What does top-p keep?\nQ2: What is p?")},
    {
        "pattern": r"GenAI tutor.*Teach the concept",
        "response": final("Top-p keeps the nucleus: apple 0.4, banana 0.3."),
    },
    # the grounded grader's judge replies in JSON; "no idea" is settled by the checks without it
    {
        "pattern": r"Learner's answer: the smallest set",
        "response": json.dumps({"score": 10, "verdict": "correct", "reasons": ["same as the reference"]}),
    },
]


async def test_chat_answers_and_keeps_history_per_thread(tmp_path: Path) -> None:
    gateway = scripted([{"pattern": "second", "response": "again"}, {"pattern": ".", "response": "hello there"}])
    db = tmp_path / "c.db"
    first, events, _ = await run_workflow("chat", {"messages": [{"role": "user", "content": "hi"}]}, gateway, db)
    assert first["answer"] == "hello there"
    assert "".join(e["data"]["text"] for e in events if e["kind"] == "token") == "hello there"
    second, _, _ = await run_workflow("chat", {"messages": [{"role": "user", "content": "second"}]}, gateway, db)
    assert [m["content"] for m in second["messages"]] == ["hi", "hello there", "second", "again"]


async def test_a_base_models_lesson_is_the_verified_reference(tmp_path: Path) -> None:
    gateway = scripted([])  # no rule: any model call would fail the run
    values, events, snapshot = await run_workflow("lesson", {"concept": "top_p"}, gateway, tmp_path / "c.db")
    assert "at least p" in values["explanation"] and snapshot.next == ("ask",)
    assert snapshot.tasks[0].interrupts[0].value["questions"][0].startswith("With probabilities 0.4, 0.3")
    assert not [e for e in events if e["kind"] == "token"]  # nothing streamed for the learner to unread


async def test_lesson_interrupts_for_answers_and_grades_on_resume(tmp_path: Path) -> None:
    gateway = scripted(LESSON_RULES, capabilities=["completion", "tools"])  # the crew writes the lesson
    db = tmp_path / "c.db"
    values, _events, snapshot = await run_workflow("lesson", {"concept": "top_p"}, gateway, db)
    assert values["concept"] == "sampling" and "apple" in values["explanation"]
    assert values["worked_example"]["result"]["candidates"]
    assert snapshot.next == ("ask",)
    pending = snapshot.tasks[0].interrupts[0].value
    assert pending["questions"] == ["What does top-p keep?", "What is p?"]
    assert "grades" not in values

    answers = {"answers": ["the smallest set of top tokens whose mass reaches p", "no idea"]}
    graded, resumed_events, after = await run_workflow("lesson", Command(resume=answers), gateway, db)
    assert after.next == ()
    items = graded["grades"]["items"]
    assert [i["score"] for i in items] == [1.0, 0.0]
    assert graded["answers"] == answers["answers"]
    assert graded["answer"].startswith("Score 1/2")
    assert {e["node"] for e in resumed_events if e["kind"] == "node.end"} == {"grade"}


async def test_lesson_rejects_an_unknown_concept(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="warp_drive"):
        await run_workflow("lesson", {"concept": "warp_drive"}, scripted(LESSON_RULES), tmp_path / "c.db")


async def test_prompt_lab_records_rewrite_tricks_and_verdict(tmp_path: Path) -> None:
    values, events, _ = await run_workflow(
        "prompt_lab", {"prompt": PROMPT, "task_input": TEXT}, scripted(LAB_RULES), tmp_path / "c.db"
    )
    assert values["rewritten_prompt"].startswith("You are an expert historian")
    assert [t["trick"] for t in values["tricks_applied"]] == ["persona", "structured text", "descriptive"]
    assert values["verdict"]["better"] == "rewritten"
    assert events[-1]["kind"] == "node.end" and events[-1]["data"]["usage"]["calls"] == 4
