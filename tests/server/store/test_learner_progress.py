"""The tutor remembers a learner (config.configurable.user_id) across lessons, in the store."""

from __future__ import annotations

import uuid

import pytest
from langgraph_sdk.client import LangGraphClient

# the reference answer to the sampling quiz's first question: graded "exact" without a model call
FIRST_ANSWER = "The top two (0.4 + 0.3 = 0.7 reaches p), renormalised to 4/7 and 3/7."


async def lesson(client: LangGraphClient, concept: str, user_id: str) -> tuple[str, dict]:
    thread = await client.threads.create()
    paused = await client.runs.wait(
        thread["thread_id"], "lesson", input={"concept": concept}, config={"configurable": {"user_id": user_id}}
    )
    assert isinstance(paused, dict) and "__interrupt__" in paused
    return thread["thread_id"], paused


async def test_a_lesson_and_its_quiz_are_remembered_and_used_next_time(client: LangGraphClient) -> None:
    user = f"ada-{uuid.uuid4().hex[:8]}"
    namespace = ["learners", user, "progress"]
    thread_id, first = await lesson(client, "top_p", user)
    assert first["learner"] == {"user_id": user, "seen_before": False, "concepts_seen": [], "note": ""}
    seen = (await client.store.get_item(namespace, key="sampling"))["value"]
    assert seen["lessons"] == 1 and seen["quizzes"] == [] and "last_score" not in seen

    # the resume names no user: the lesson remembers whom it is for
    graded = await client.runs.wait(thread_id, "lesson", command={"resume": {"answers": [FIRST_ANSWER, ""]}})
    assert isinstance(graded, dict) and graded["answer"].startswith("Score 1/2")
    progress = (await client.store.get_item(namespace, key="sampling"))["value"]
    assert progress["last_score"] == 0.5 and progress["best_score"] == 0.5
    assert [q["score"] for q in progress["quizzes"]] == [0.5]

    _, again = await lesson(client, "sampling", user)
    assert again["learner"]["seen_before"] is True
    assert again["explanation"].startswith("Welcome back:") and "last quiz score was 50%" in again["explanation"]
    assert (await client.store.get_item(namespace, key="sampling"))["value"]["lessons"] == 2

    _, other = await lesson(client, "attention", user)
    assert other["learner"]["concepts_seen"] == ["sampling"]
    assert other["explanation"].startswith("New for you:") and "already studied sampling" in other["explanation"]
    found = await client.store.search_items(["learners", user])
    assert sorted(item["key"] for item in found["items"]) == ["attention", "sampling"]


async def test_without_a_user_id_nothing_is_remembered(client: LangGraphClient) -> None:
    before = await client.store.list_namespaces(prefix=["learners"])
    thread = await client.threads.create()
    paused = await client.runs.wait(thread["thread_id"], "lesson", input={"concept": "attention"})
    assert isinstance(paused, dict) and "learner" not in paused
    assert not paused["explanation"].startswith(("Welcome back", "New for you"))
    assert await client.store.list_namespaces(prefix=["learners"]) == before


async def test_a_user_id_that_cannot_name_a_namespace_fails_the_run_saying_so(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    with pytest.raises(Exception, match=r"configurable\.user_id"):
        await client.runs.wait(
            thread["thread_id"], "lesson", input={"concept": "attention"}, config={"configurable": {"user_id": "a.b"}}
        )
