"""The dashboard's Arena panel in headless Chromium driven by Playwright: a person votes blind, then sees ratings."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agents.evals.suites import gsm8k_items
from tests.server.helpers import running_server
from tests.server.test_dashboard import CHROMIUM

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's headless chromium is not installed")

ITEMS = gsm8k_items()[:2]
AGENT = "prompt-engineer@autogen@scripted"
#: The launch options of tests/server/test_dashboard.py: offline except for loopback.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
WAIT_S = 120  # a bound so a broken run fails instead of hanging; nothing asserts on time


def rules() -> list[dict[str, str]]:
    """The bare model is right on both items; the persona (its prompt names its role) says 0."""
    found = []
    for item in ITEMS:
        question = re.escape(item.input[:60])
        found.append({"pattern": r"prompt engineer[\s\S]*" + question, "response": "I think.\nAnswer: 0"})
        found.append({"pattern": question, "response": f"Sure.\nAnswer: {item.data['number']}"})
    return found


@pytest.fixture(scope="module")
def arena(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("arena-dashboard")
    (tmp / "rules.json").write_text(json.dumps(rules()))
    env = {"THINKROOM_BACKEND": "scripted", "THINKROOM_SCRIPTED_RULES": str(tmp / "rules.json")}
    with running_server(tmp, **env) as url:
        spec = {"suite": "gsm8k", "limit": 2, "contestants": ["scripted", AGENT], "seed": 0}
        created = httpx.post(f"{url}/api/arenas", json=spec, timeout=60)
        assert created.status_code == 201, created.text
        arena_id = created.json()["arena_id"]
        deadline = time.monotonic() + WAIT_S
        while httpx.get(f"{url}/api/arenas/{arena_id}", timeout=30).json()["status"] == "running":
            assert time.monotonic() < deadline, "the arena never finished"
            time.sleep(0.2)
        yield url, arena_id


def test_a_person_votes_on_blind_pairs_then_sees_the_ratings(arena: tuple[str, str], tmp_path: Path) -> None:
    url, arena_id = arena
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{url}/#tab=arena&arena={arena_id}")
            pair = page.locator("#arena-pair")
            pair.wait_for(state="visible")
            assert page.locator("#arena-ratings-box").is_hidden()  # no ratings before this person has voted
            for left in (2, 1):
                plural = "s" if left > 1 else ""
                assert page.locator("#arena-left").inner_text() == f"{left} pair{plural} left to vote on"
                text = pair.inner_text()
                assert "scripted" not in text and "prompt-engineer" not in text  # blind: no author is named
                assert page.locator("#arena-prompt").inner_text() in {i.input for i in ITEMS}
                side = "a" if "I think." in page.locator("#arena-a").inner_text() else "b"
                page.locator(f"#arena-vote-{side}").click()  # this person prefers the persona's (wrong) answers
                if left > 1:
                    page.wait_for_function("document.querySelector('#arena-left').textContent.startsWith('1 pair ')")
            page.locator("#arena-done").wait_for(state="visible")
            assert "Every pair" in page.locator("#arena-done").inner_text()
            page.locator('#arena-ratings tr[data-source="combined"]').first.wait_for()
            top = {src: page.locator(f'#arena-ratings tr[data-source="{src}"]').first.get_attribute("data-contestant")
                   for src in ("judge", "human")}
            assert top == {"judge": "scripted", "human": AGENT}
            assert "people's votes (2)" in page.locator("#arena-ratings").inner_text()
            page.locator("#arena-plot").wait_for(state="visible")
            assert page.locator("#arena-plot").get_attribute("src").startswith("blob:")
            page.screenshot(path=str(tmp_path / "arena.png"), full_page=True)
        finally:
            browser.close()
    votes = httpx.get(f"{url}/api/arenas/{arena_id}/votes", timeout=30).json()["votes"]
    assert len(votes) == 2 and all(v[v["winner"]] == AGENT for v in votes)


def test_the_arena_assets_are_served_and_linked(arena: tuple[str, str]) -> None:
    url, _ = arena
    page = httpx.get(f"{url}/").text
    assert 'src="/static/arena.js"' in page and 'href="/static/arena.css"' in page and 'id="tab-arena"' in page
    script = httpx.get(f"{url}/static/arena.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in script.text  # answers only ever go in as text
