"""The Workflows tab in Chromium: an eval started from its form, then its table (accuracy with intervals) and plot."""

from __future__ import annotations

import re
from typing import Any

import pytest

from agents.evals.suites import gsm8k_items
from tests.server.dashboard.conftest import Studio, shoot
from tests.server.test_dashboard import CHROMIUM

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's headless chromium is not installed")
expect = sync_api.expect

ITEMS = gsm8k_items()[:2]


def rules() -> list[dict[str, str]]:
    """The model is right on the first item and wrong on the second."""
    first, second = ITEMS
    return [
        {"pattern": re.escape(first.input[:60]), "response": f"Sure.\nAnswer: {first.data['number']}"},
        {"pattern": re.escape(second.input[:60]), "response": "Sure.\nAnswer: -1"},
    ]


def test_an_eval_from_its_form_shows_its_table_and_plot(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(rules()) as url:
        page.goto(f"{url}/#tab=workflows&workflow=eval")
        form = page.locator("#wf-form")
        form.get_by_role("button", name="Run eval").wait_for()
        form.get_by_label("suite", exact=True).select_option("gsm8k")
        form.get_by_label("limit").fill("2")
        form.get_by_label("reference", exact=True).check()
        form.get_by_role("group", name="strategies").get_by_label("direct", exact=True).check()
        form.get_by_role("button", name="Run eval").click()

        table = page.get_by_role("table", name="Accuracy per column")
        table.wait_for()
        reference = table.locator('tr[data-column="reference"]')
        direct = table.locator('tr[data-column="direct@scripted"]')
        expect(reference.locator("td").nth(0)).to_have_text("2 / 2")
        expect(reference.locator("td").nth(1)).to_have_text("1")
        expect(direct.locator("td").nth(0)).to_have_text("1 / 2")
        expect(direct.locator("td").nth(1)).to_have_text("0.5")
        # the Wilson interval of 1/2, rounded to three places
        expect(direct.locator("td").nth(2)).to_have_text("[0.095, 0.905]")
        for cell in table.locator("td").all_inner_texts():
            assert not re.search(r"\d\.\d{4,}", cell), f"float noise in {cell!r}"

        plot = page.locator('.wf-eval:visible img.wf-plot-img[data-kind="tokens"]')
        plot.wait_for()
        assert plot.get_attribute("src").startswith("blob:")
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=plot.element_handle())
        shoot(page, "workflows-eval")

        # at phone width the wide table scrolls inside its own box; the page does not scroll sideways
        page.set_viewport_size({"width": 390, "height": 844})
        expect(table).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        box = page.locator(".wf-eval:visible .wf-scroll").first.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
        shoot(page, "workflows-eval-phone")
