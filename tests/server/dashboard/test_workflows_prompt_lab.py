"""The Workflows tab in Chromium: a prompt search from the prompt-lab form, then its variants' scores and the winner."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.server.dashboard.conftest import Studio, shoot
from tests.server.test_dashboard import CHROMIUM
from tests.workflows.test_prompt_search import BEST, CONFIG, PROMPT, RULES

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's headless chromium is not installed")
expect = sync_api.expect


def test_a_prompt_search_shows_every_variants_score_and_the_winner(studio: Studio, browser_page: Any) -> None:
    """tests/workflows/test_prompt_search.py's scripted search: persona then descriptive scores 10, the original 3."""
    page = browser_page
    with studio(RULES) as url:
        page.goto(f"{url}/#tab=workflows&workflow=prompt_lab")
        form = page.locator("#wf-form")
        form.get_by_role("button", name="Run prompt lab").wait_for()
        form.get_by_label("prompt", exact=True).fill(PROMPT)
        form.get_by_label("strategy").select_option("search")
        form.get_by_label("tests").fill("bread\ncakes")
        form.get_by_label("config").fill(json.dumps(CONFIG))
        form.get_by_role("button", name="Run prompt lab").click()

        view = page.locator(".wf-prompt-lab:visible")
        view.wait_for()
        expect(view.locator(".wf-winner")).to_have_text(BEST)
        rows = view.locator("table.wf-score-table tbody tr")
        expect(rows).to_have_count(6)
        best = rows.first
        expect(best).to_have_class("wf-best")
        expect(best).to_contain_text("winner")
        expect(best.locator("td").nth(1)).to_have_text("persona, descriptive")
        expect(best.locator("td").nth(3)).to_have_text("10")
        original = view.locator("table.wf-score-table tbody tr", has_text="(original)")
        expect(original.locator("td").nth(3)).to_have_text("3")
        expect(view).to_contain_text("rewritten 100% vs the original's 30%")
        shoot(page, "workflows-prompt-lab")
