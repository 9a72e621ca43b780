"""Chat actions clicked as a user would: Stop cancels the run, Regenerate and Edit-and-resend fork the thread,
an agent's tool calls are shown (and still after a reload), and the tab fits a phone."""

from __future__ import annotations

from typing import Any

import httpx

from tests.server.dashboard.conftest import Studio, shoot
from tests.server.dashboard.test_chat_stream import chat_panel, open_chat, send

SLOW = " ".join(f"tick{i}" for i in range(200))
RULES = [
    {"pattern": r"count slowly", "response": SLOW, "delay_s": 0.2},
    {"pattern": r"edited question", "response": "answer to the edited question"},
    {"pattern": r"roll a die", "responses": ["first roll: 3", "second roll: 5"]},
    {"pattern": ".", "response": "ok"},
]


def thread_messages(url: str, page: Any) -> list[str]:
    thread_id = page.evaluate("localStorage.getItem('thinkroom.chat.thread')")
    state = httpx.get(f"{url}/threads/{thread_id}/state", timeout=30).json()
    return [m["content"] for m in state["values"]["messages"]]


def settled(page: Any) -> None:
    """The run has ended and the log shows the thread's state (Send is enabled again)."""
    page.wait_for_function(
        "!document.querySelector('#chat-send').disabled && !document.querySelector('#chat-log .streaming')"
    )


def test_stop_cancels_the_running_reply(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(RULES) as url:
        open_chat(page, url)
        send(page, "count slowly")
        page.wait_for_function(
            "Number(document.querySelector('#chat-log .streaming .msg-text')?.dataset.chars || 0) > 10"
        )
        chat_panel(page).get_by_role("button", name="Stop").click()
        stopped = page.locator("#chat-log .msg.assistant.stopped")
        stopped.wait_for()
        settled(page)
        assert "stopped" in stopped.locator(".badge").inner_text()
        partial = stopped.locator(".msg-text").inner_text().strip()
        assert partial.startswith("tick0") and len(partial) < len(SLOW)
        thread_id = page.evaluate("localStorage.getItem('thinkroom.chat.thread')")
        runs = httpx.get(f"{url}/threads/{thread_id}/runs", timeout=30).json()
        assert runs[0]["status"] in ("interrupted", "error", "cancelled") and runs[0]["status"] != "success"
        assert thread_messages(url, page) == ["count slowly"]  # no reply was stored
        shoot(page, "chat-stopped")


def test_regenerate_then_edit_and_resend_fork_the_thread(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(RULES) as url:
        open_chat(page, url)
        send(page, "roll a die")
        page.locator("#chat-log .msg.assistant", has_text="first roll: 3").wait_for()
        settled(page)
        chat_panel(page).get_by_role("button", name="Regenerate the last reply").click()
        page.locator("#chat-log .msg.assistant", has_text="second roll: 5").wait_for()
        settled(page)
        assert page.locator("#chat-log .msg.assistant").count() == 1  # the old reply was replaced, not appended
        assert thread_messages(url, page) == ["roll a die", "second roll: 5"]

        send(page, "and another thing")
        page.wait_for_function("document.querySelectorAll('#chat-log .msg.assistant:not(.streaming)').length === 2")
        settled(page)
        assert len(thread_messages(url, page)) == 4
        # edit the first message: everything after it is replaced by the new branch
        chat_panel(page).get_by_role("button", name="Edit and resend this message").first.click()
        box = chat_panel(page).get_by_label("Edit message")
        box.fill("edited question")
        chat_panel(page).get_by_role("button", name="Save and send").click()
        page.locator("#chat-log .msg.assistant", has_text="answer to the edited question").wait_for()
        settled(page)
        assert page.locator("#chat-log .msg.user .msg-text").all_inner_texts() == ["edited question"]
        assert thread_messages(url, page) == ["edited question", "answer to the edited question"]
        shoot(page, "chat-edited")


def test_an_agents_tool_call_and_result_are_shown_and_kept(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(RULES) as url:
        open_chat(page, url, model="tutor")
        send(page, "Explain softmax with an example")
        reply = page.locator("#chat-log .msg.assistant:not(.streaming)")
        reply.wait_for()
        settled(page)
        steps = reply.locator("details.steps")
        assert "concept_softmax" in steps.locator("summary").inner_text()
        assert not steps.locator(".step.tool_result").is_visible()  # collapsed until asked for
        steps.locator("summary").click()
        assert "concept_softmax(" in steps.locator(".step.tool_call pre").first.inner_text()
        assert "0.659" in steps.locator(".step.tool_result pre").first.inner_text()
        assert "0.659" in reply.locator(".msg-text").inner_text()
        shoot(page, "chat-tool-call")
        page.reload()  # the steps are kept in the thread
        page.get_by_role("tab", name="Chat").click()
        kept = page.locator("#chat-log .msg.assistant details.steps summary")
        kept.wait_for()
        assert "concept_softmax" in kept.inner_text()


def test_chat_fits_a_phone(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    with studio(RULES) as url:
        open_chat(page, url)
        send(page, "a question with a rather-long-unbroken-word-" + "x" * 80)
        page.locator("#chat-log .msg.assistant:not(.streaming)").wait_for()
        settled(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        assert chat_panel(page).get_by_role("button", name="Send", exact=True).is_visible()
        shoot(page, "chat-phone")
