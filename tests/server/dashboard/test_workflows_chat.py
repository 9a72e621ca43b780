"""The Workflows tab in Chromium: one chat turn from the chat form, its reply drawn as sanitized markdown."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.dashboard.conftest import Studio, shoot
from tests.server.test_dashboard import CHROMIUM

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's headless chromium is not installed")
expect = sync_api.expect

REPLY = "Softmax turns **scores** into probabilities.\n\n<img src=x onerror=\"document.title='pwned'\">\n\n- sums to 1"
RULES = [{"pattern": "softmax", "response": REPLY}, {"pattern": ".", "response": "nothing scripted"}]


def test_a_chat_turn_from_the_form_shows_the_reply_as_sanitized_markdown(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(RULES) as url:
        page.goto(f"{url}/#tab=workflows&workflow=chat")
        form = page.locator("#wf-form")
        form.get_by_role("button", name="Run chat").wait_for()
        form.get_by_label("Message").fill("What does softmax do?")
        form.get_by_role("button", name="Run chat").click()

        view = page.locator(".wf-chat:visible")
        view.wait_for()
        messages = view.locator("li.msg")
        expect(messages).to_have_count(2)
        expect(messages.first).to_contain_text("What does softmax do?")
        reply = messages.nth(1)
        expect(reply.locator("strong")).to_have_text("scores")  # markdown rendered
        expect(reply.locator("li")).to_have_text("sums to 1")
        assert reply.locator("[onerror]").count() == 0  # and sanitized: no handler reaches the page
        assert page.title() != "pwned"
        # the run streamed its node events, so the run view's timeline has the node's model calls and tokens
        respond = page.locator('#studio-timeline tr[data-node="respond"]')
        cells = respond.locator("td")  # status, time, calls, prompt tokens, completion tokens (the node is a th)
        expect(cells.nth(2)).to_have_text("1")
        assert int(cells.nth(3).inner_text()) > 0 and int(cells.nth(4).inner_text()) > 0
        shoot(page, "workflows-chat")
