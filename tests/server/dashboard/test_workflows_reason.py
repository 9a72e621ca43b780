"""The Workflows tab in Chromium: Tree of Thoughts from the reason form on a scripted model, a 4xx shown
next to the field it names, and the tab at phone width."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.server.dashboard.conftest import Studio, shoot
from tests.server.test_dashboard import CHROMIUM, RULES

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's headless chromium is not installed")
expect = sync_api.expect

NO_OVERFLOW = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def open_reason_form(page: Any, url: str) -> Any:
    page.goto(f"{url}/#tab=workflows&workflow=reason")
    form = page.locator("#wf-form")
    form.get_by_role("button", name="Run reason").wait_for()
    form.get_by_label("task").select_option("game24")
    form.get_by_label("puzzle").fill("4 5 6 10")
    form.get_by_label("strategy").select_option("tot")
    return form


def test_tree_of_thoughts_from_the_reason_form(studio: Studio, browser_page: Any) -> None:
    """The scripted model solves 4 5 6 10 in three steps (tests/server/test_dashboard.py's rules)."""
    page = browser_page
    with studio(RULES) as url:
        form = open_reason_form(page, url)
        form.get_by_label("config").fill('{"breadth": 1, "depth": 3}')
        form.get_by_role("button", name="Run reason").click()

        view = page.locator(".wf-reason:visible")
        view.wait_for()
        expect(view.locator(".answer-text")).to_have_text("(10 - 6) + (4 * 5) = 24")
        expect(view.locator(".verified")).to_have_text("✓ verified")
        tree = view.locator(".tree")
        kept = tree.locator(".tot-node.kept")
        pruned = tree.locator(".tot-node.pruned")
        assert [kept.nth(i).get_attribute("data-node") for i in range(kept.count())] == ["1", "3", "5"]
        assert sorted(pruned.nth(i).get_attribute("data-node") for i in range(pruned.count())) == ["2", "4", "6"]
        expect(tree.locator('[data-node="5"] > .thought')).to_have_text("4 + 20 = 24 (left: 24)")
        # values are rounded (no float noise)
        for value in tree.locator(".value").all_inner_texts():
            assert re.fullmatch(r"v=\d+(\.\d{1,3})?", value.strip()), value
        shoot(page, "workflows-reason-tot")


def test_a_refused_input_is_shown_next_to_its_field_and_the_tab_fits_a_phone(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(RULES) as url:
        page.set_viewport_size({"width": 390, "height": 844})
        form = open_reason_form(page, url)
        assert page.evaluate(NO_OVERFLOW), "the Workflows tab scrolls sideways at phone width"
        config = form.get_by_label("config")
        config.fill('{"breadth": 0}')
        form.get_by_role("button", name="Run reason").click()
        error = form.locator("#wf-reason-config-error")
        expect(error).to_contain_text("breadth: Input should be greater than or equal to 1")
        expect(config).to_have_attribute("aria-invalid", "true")
        expect(config).to_be_focused()
        config.fill("{not json")  # caught in the page, before any request
        form.get_by_role("button", name="Run reason").click()
        expect(error).to_contain_text("not valid JSON")
        assert page.evaluate(NO_OVERFLOW)
        shoot(page, "workflows-reason-phone-error")


def test_tree_of_thoughts_in_the_reason_tab_then_its_run_in_threads(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(RULES) as url:
        page.goto(url)
        page.get_by_role("tab", name="Reason").click()
        panel = page.locator("#panel-reason")
        panel.get_by_label("Game of 24").check()
        panel.get_by_label("Puzzle (four numbers)").fill("4 5 6 10")
        panel.get_by_label("Strategy").select_option("tot")
        panel.get_by_label("breadth").fill("1")
        panel.get_by_label("depth").fill("3")
        panel.get_by_role("button", name="Run", exact=True).click()

        open_run = panel.get_by_role("button", name=re.compile(r"^Open run \w{8} in the Threads tab$"))
        open_run.wait_for()
        expect(page.locator("#reason-answer-text")).to_have_text("(10 - 6) + (4 * 5) = 24")
        expect(page.locator("#reason-tree .tot-node.kept")).to_have_count(3)
        shoot(page, "reason-tab-tot")

        open_run.click()  # the same run in the run view: its result drawn by the reason view
        expect(page.get_by_role("tab", name="Threads")).to_have_attribute("aria-selected", "true")
        view = page.locator(".wf-reason:visible")
        view.wait_for()
        expect(view.locator(".tot-node.kept")).to_have_count(3)
        expect(view.locator(".answer-text")).to_have_text("(10 - 6) + (4 * 5) = 24")
