"""Charts where a learner would rather look than read, and numbers without float noise, clicked through in Chromium."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.server.dashboard.conftest import Studio, shoot

RULES = [{"pattern": r"6\*7", "response": "6*7 = 42.\nAnswer: 42"}, {"pattern": ".", "response": "ok"}]
NOISE = re.compile(r"\d\.\d{7,}")  # e.g. 0.8999999999999999


def texts(locator: Any) -> list[str]:
    """The text of SVG elements (which have no innerText)."""
    return locator.evaluate_all("nodes => nodes.map((n) => n.textContent)")


def run_concept(page: Any, url: str, name: str) -> Any:
    page.goto(f"{url}/")
    page.get_by_role("tab", name="Concept lab").click()
    page.get_by_label("Search concepts").fill(name)
    page.locator(f'#concept-list button[data-name="{name}"]').click()
    page.get_by_role("button", name="Run", exact=True).click()
    charts = page.locator("#concept-charts")
    charts.wait_for()
    return charts


def test_sampling_charts_the_next_token_distribution_and_rounds_its_noise(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(RULES) as url:
        example = httpx.get(f"{url}/api/concepts/sampling", timeout=30).json()["example"]
        raw = httpx.post(f"{url}/api/concepts/sampling/run", json=example, timeout=30).json()["result"]
        assert raw["cumulative"]["cherry"] == 0.8999999999999999  # the concept's own float noise, which we must hide

        charts = run_concept(page, url, "sampling")
        captions = charts.locator("figcaption").all_inner_texts()
        assert captions[0] == "next-token distribution (input)"
        assert captions[1].startswith(f"after {example['method']} (renormalised; sampled: {raw['sample']})")
        given = charts.locator("figure").nth(0)
        labels = given.locator(".bar-row").evaluate_all("rows => rows.map(r => r.dataset.label)")
        assert labels == list(example["probs"])
        assert texts(given.locator(".chart-value")) == [str(p) for p in example["probs"].values()]
        kept = charts.locator("figure").nth(1)
        assert kept.locator(".bar-row.hl").get_attribute("data-label") == raw["sample"]  # the sampled token stands out
        assert texts(kept.locator(".chart-value")) == ["0.444", "0.333", "0.222"]
        assert "cumulative" in captions  # the rest of the result is charted too

        shown = page.locator("#concept-result-json").inner_text()
        assert '"cherry": 0.9,' in shown and '"date": 1' in shown
        assert not NOISE.search(page.locator("#concept-view").inner_text())
        shoot(page, "concept-sampling-charts")


def test_attention_weights_are_a_heatmap_with_the_causal_mask(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(RULES) as url:
        charts = run_concept(page, url, "attention")
        weights = charts.locator("figure", has_text="weights (rows: queries, columns: keys)")
        cells = weights.locator("rect.heat")
        assert cells.count() == 9
        values = texts(weights.locator(".cell-value"))
        assert values[:3] == ["1", "0", "0"] and "0.33" in values and "0.67" in values
        scores = charts.locator("figure", has_text="scores (rows: queries, columns: keys)")
        assert scores.locator("rect.heat.masked").count() == 3  # the causal mask: future keys have no score
        assert not NOISE.search(page.locator("#concept-view").inner_text())
        shoot(page, "concept-attention-heatmap")


def test_the_reason_tabs_vote_tally_is_a_bar_chart(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(RULES) as url:
        page.goto(f"{url}/")
        page.get_by_role("tab", name="Reason").click()
        panel = page.locator("#panel-reason")
        panel.get_by_role("textbox", name="Question").fill("What is 6*7?")
        panel.get_by_label("Strategy").select_option("cot_sc")
        panel.get_by_label("samples n").fill("3")
        panel.get_by_role("button", name="Run", exact=True).click()
        page.locator("#reason-answer-text").wait_for()
        chart = page.locator("#reason-votes-chart svg[role=img]")
        chart.wait_for()
        assert chart.get_attribute("aria-label") == "Votes per answer"
        row = chart.locator('.bar-row[data-label="42"]')
        tallied = page.locator("#reason-votes tr", has_text="42").locator("td").nth(1).inner_text().strip()
        assert row.locator(".chart-value").text_content() == tallied and int(tallied) >= 2  # as the table counts
        shoot(page, "reason-votes-chart")
