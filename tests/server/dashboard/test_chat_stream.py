"""The Chat tab in Chromium: a reply streams in token by token, renders as sanitized markdown, and survives a reload."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.dashboard.conftest import Studio, shoot

LONG = " ".join(f"word{i}" for i in range(40))
MARKDOWN = (
    "Here is a list:\n\n- alpha\n- beta\n\n```python\nprint(1 < 2)\n```\n\n"
    "<script>window.__pwned = 1</script>\n\n"
    'Inline <img src=x onerror="window.__pwned = 2"> and [a link](javascript:window.__pwned=3).'
)
RULES = [
    {"pattern": r"stream please", "response": LONG, "delay_s": 0.15},
    {"pattern": r"markdown please", "response": MARKDOWN},
    {"pattern": ".", "response": "ok"},
]


def open_chat(page: Any, url: str, model: str = "scripted") -> None:
    page.goto(f"{url}/#tab=chat")
    page.get_by_role("tab", name="Chat").click()
    chat_panel(page).get_by_label("Model or agent").select_option(model)


def chat_panel(page: Any) -> Any:
    return page.locator("#panel-chat")


def send(page: Any, text: str) -> None:
    chat_panel(page).get_by_label("Message", exact=True).fill(text)
    chat_panel(page).get_by_role("button", name="Send", exact=True).click()


@pytest.mark.parametrize("target", ["scripted", "prompt-engineer"])  # the bare model, and an agent (CrewAI)
def test_tokens_stream_into_the_bubble_before_the_run_ends(studio: Studio, browser_page: Any, target: str) -> None:
    page = browser_page
    with studio(RULES) as url:
        open_chat(page, url, model=target)
        send(page, "stream please")
        live = page.locator("#chat-log .msg.assistant.streaming .msg-text")
        live.wait_for()
        seen: list[int] = []
        for _ in range(4):  # the text grows while the run is still streaming (the live bubble is still there)
            page.wait_for_function(
                "n => { const t = document.querySelector('#chat-log .msg.streaming .msg-text');"
                " return t && Number(t.dataset.chars || 0) > n; }",
                arg=seen[-1] if seen else 0,
            )
            assert page.locator("#chat-log .msg.streaming").count() == 1
            seen.append(int(live.get_attribute("data-chars") or 0))
        assert seen == sorted(seen) and len(set(seen)) == 4 and seen[-1] < len(LONG)
        assert chat_panel(page).get_by_role("button", name="Stop").is_visible()
        shoot(page, f"chat-streaming-{target}")
        final = page.locator("#chat-log .msg.assistant:not(.streaming) .msg-text")
        final.wait_for()
        assert final.inner_text().strip() == LONG
        assert page.locator("#chat-log .msg.streaming").count() == 0
        assert chat_panel(page).get_by_role("button", name="Stop").is_hidden()
        usage = page.locator("#chat-usage").inner_text()
        assert usage.startswith("usage: ") and "= " in usage and " s" in usage
        seconds = usage.split("·")[-1].strip().removesuffix(" s")
        assert len(seconds.split(".")[-1]) <= 2  # rounded


def test_markdown_renders_and_html_payloads_are_neutralised(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(RULES) as url:
        open_chat(page, url)
        send(page, "markdown please")
        reply = page.locator("#chat-log .msg.assistant:not(.streaming)").last
        reply.locator(".md li").first.wait_for()
        assert reply.locator(".md li").all_inner_texts() == ["alpha", "beta"]
        code = reply.locator(".code-block pre code.language-python")
        assert code.inner_text().strip() == "print(1 < 2)"
        assert reply.locator(".code-block .lang").inner_text() == "python"
        # raw HTML is shown as text, never run: no script or img element, no handler ran, no javascript: link
        assert reply.locator("script, img, [onerror]").count() == 0
        assert "<script>window.__pwned = 1</script>" in reply.inner_text()
        assert page.evaluate("window.__pwned") is None
        link = reply.get_by_text("a link")
        assert (link.get_attribute("href") or "").startswith("javascript") is False
        shoot(page, "chat-markdown")


def test_the_conversation_survives_a_reload_and_lists_in_the_sidebar(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(RULES) as url:
        open_chat(page, url)
        send(page, "hello there")
        page.locator("#chat-log .msg.assistant:not(.streaming)").wait_for()
        conv = page.locator("#chat-threads .conv-open", has_text="hello there")
        conv.wait_for()
        page.reload()
        page.get_by_role("tab", name="Chat").click()
        page.locator("#chat-log .msg.assistant").wait_for()  # the open conversation is read back from its thread
        assert page.locator("#chat-log .msg.user .msg-text").all_inner_texts() == ["hello there"]
        assert page.locator("#chat-log .msg.assistant .msg-text").inner_text().strip() == "ok"
        # a new conversation, then back to the first from the sidebar
        chat_panel(page).get_by_role("button", name="New conversation").click()
        assert page.locator("#chat-log .msg").count() == 0
        send(page, "second talk")
        page.locator("#chat-log .msg.assistant:not(.streaming)").wait_for()
        page.locator("#chat-threads .conv-open", has_text="second talk").wait_for()
        page.locator("#chat-threads .conv-open", has_text="hello there").click()
        page.locator("#chat-log .msg.user", has_text="hello there").wait_for()
        assert page.locator("#chat-log .msg.user").count() == 1
        # rename through the thread's metadata, and search by title
        chat_panel(page).get_by_role("button", name="Rename hello there").click()
        chat_panel(page).get_by_label("New title").fill("Greetings")
        chat_panel(page).get_by_label("New title").press("Enter")
        page.locator("#chat-threads .conv-open", has_text="Greetings").wait_for()
        chat_panel(page).get_by_label("Search conversations").fill("greet")
        page.wait_for_function("document.querySelectorAll('#chat-threads .conv-open').length === 1")
        assert page.locator("#chat-threads .conv-open").inner_text() == "Greetings"
        shoot(page, "chat-sidebar")
        # delete asks once: Keep leaves it, Delete removes the thread and closes the open conversation
        chat_panel(page).get_by_role("button", name="Delete Greetings").click()
        chat_panel(page).get_by_role("button", name="Keep Greetings").click()
        chat_panel(page).get_by_role("button", name="Delete Greetings").click()
        chat_panel(page).get_by_role("button", name="Confirm deleting Greetings").click()
        page.locator("#chat-threads li.muted", has_text="no match").wait_for()
        chat_panel(page).get_by_label("Search conversations").fill("")
        page.locator("#chat-threads .conv-open", has_text="second talk").wait_for()
        assert page.locator("#chat-threads .conv-open").count() == 1
        assert page.locator("#chat-log .msg").count() == 0


def test_a_reload_mid_reply_follows_the_running_reply(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(RULES) as url:
        open_chat(page, url)
        send(page, "stream please")
        page.wait_for_function("Number(document.querySelector('#chat-log .streaming .msg-text')?.dataset.chars) > 5")
        page.reload()
        page.get_by_role("tab", name="Chat").click()
        live = page.locator("#chat-log .msg.assistant.streaming")
        live.wait_for()  # the run goes on on the server: the page joins its stream
        assert chat_panel(page).get_by_role("button", name="Stop").is_visible()
        final = page.locator("#chat-log .msg.assistant:not(.streaming) .msg-text")
        final.wait_for()
        assert final.inner_text().strip() == LONG
        assert page.locator("#chat-log .msg.user .msg-text").all_inner_texts() == ["stream please"]
