"""The Workflows tab in Chromium: the coding team from the code form, then its program, sandbox output and verdict."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from tests.server.dashboard.conftest import Studio, shoot
from tests.server.test_dashboard import CHROMIUM

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's headless chromium is not installed"),
    pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (the sandbox) is not installed"),
]
expect = sync_api.expect

CODER_REPLY = "```python\ndef reverse(s):\n    return s[::-1]\n\nprint(reverse('hello'))\n```"
RULES = [
    {"pattern": "strict evaluator", "response": "SCORE: 9\nREASONS:\n- reverses correctly\nAPPROVE"},
    {"pattern": "Python developer", "response": CODER_REPLY},
]


def test_the_code_form_runs_the_team_and_shows_code_output_and_verdict(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(RULES) as url:
        page.goto(f"{url}/#tab=workflows&workflow=code")
        form = page.locator("#wf-form")
        form.get_by_role("button", name="Run code").wait_for()
        task = form.get_by_label("task")
        expect(task).to_have_attribute("aria-required", "true")
        task.fill("Reverse a string")
        form.get_by_label("max messages").fill("8")
        form.get_by_role("button", name="Run code").click()

        view = page.locator(".wf-code:visible")
        view.wait_for()
        expect(view.locator(".wf-verdict")).to_contain_text("approved")
        expect(view.locator(".wf-verdict")).to_contain_text("score 9 / 10")
        expect(view.locator(".wf-program code.language-python")).to_contain_text("return s[::-1]")
        expect(view.get_by_role("heading", name="Sandbox output (exit 0)")).to_be_visible()
        expect(view.locator(".wf-output")).to_contain_text("olleh")
        expect(view).to_contain_text("reverses correctly")  # the evaluator's feedback
        shoot(page, "workflows-code")
