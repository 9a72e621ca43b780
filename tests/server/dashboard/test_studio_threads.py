"""The Threads studio's sidebar, clicked through in Chromium: search threads, rename one through its metadata,
delete one after confirming; and the tab fits a phone's width."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.server.dashboard.conftest import WAIT_MS, Studio, shoot

expect.set_options(timeout=WAIT_MS)  # a loaded machine is slow; nothing asserts on time

CHAT = {"messages": [{"role": "user", "content": "hello"}]}


def make_thread(url: str, title: str, **meta: str) -> str:
    res = httpx.post(f"{url}/threads", json={"metadata": {"title": title, **meta}}, timeout=60)
    assert res.status_code == 200, res.text
    return str(res.json()["thread_id"])


def test_search_rename_and_delete_threads(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio() as url:
        algebra = make_thread(url, "Algebra lesson", topic="maths")
        poems = make_thread(url, "Poems", topic="writing")
        ran = httpx.post(f"{url}/threads/{poems}/runs/wait", json={"assistant_id": "chat", "input": CHAT}, timeout=60)
        assert ran.status_code == 200, ran.text
        page.goto(url)
        page.get_by_role("tab", name="Threads").click()
        threads = page.get_by_role("list", name="Threads list")
        expect(threads.locator(".studio-thread")).to_have_count(2)

        # search by text (title or id) filters as you type; key=value asks the server by metadata
        search = page.get_by_label("Search threads")
        search.fill("algebra")
        expect(threads.locator(".studio-thread")).to_have_count(1)
        expect(threads).to_contain_text("Algebra lesson")
        search.fill(poems[:8])
        expect(threads.locator(".studio-thread")).to_have_count(1)
        expect(threads).to_contain_text("Poems")
        search.fill("topic=maths")
        page.get_by_role("button", name="Search", exact=True).click()
        expect(threads.locator(".studio-thread")).to_have_count(1)
        expect(threads).to_contain_text("Algebra lesson")
        search.fill("")
        page.get_by_label("Thread status").select_option("idle")  # the thread that ran is idle, the new one too
        expect(threads.locator(".studio-thread")).to_have_count(2)
        page.get_by_label("Thread status").select_option("")

        # rename through metadata.title
        page.get_by_role("button", name="Algebra lesson").click()
        expect(page.get_by_role("list", name="Runs of Algebra lesson")).to_contain_text("no runs")
        page.get_by_role("button", name="Rename Algebra lesson").click()
        page.get_by_label("Thread title").fill("Linear equations")
        threads.get_by_role("button", name="Save").click()
        expect(threads).to_contain_text("Linear equations")
        stored = httpx.get(f"{url}/threads/{algebra}", timeout=30).json()
        assert stored["metadata"]["title"] == "Linear equations" and stored["metadata"]["topic"] == "maths"

        # the other thread's runs, then delete it (after confirming)
        # by keyboard: Enter opens the thread, focus stays on it, Tab reaches its tools
        page.get_by_role("button", name="Poems").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("list", name="Runs of Poems")).to_contain_text("success")
        expect(page.get_by_role("button", name="Poems", exact=True)).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Rename Poems")).to_be_focused()
        page.get_by_role("button", name="Delete Poems").click()
        shoot(page, "studio_delete_confirm")
        page.get_by_role("button", name="Keep it").click()
        expect(threads.locator(".studio-thread")).to_have_count(2)
        page.get_by_role("button", name="Delete Poems").click()
        page.get_by_role("button", name="Delete thread").click()
        expect(threads.locator(".studio-thread")).to_have_count(1)
        expect(threads).not_to_contain_text("Poems")
        assert httpx.get(f"{url}/threads/{poems}", timeout=30).status_code == 404
        shoot(page, "studio_threads")


def test_the_threads_tab_fits_a_phone(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    with studio() as url:
        thread = make_thread(url, "A thread with a rather long title that must not push the page sideways")
        ran = httpx.post(f"{url}/threads/{thread}/runs/wait",
                         json={"assistant_id": "chat", "input": CHAT, "stream_mode": ["values", "updates", "custom"]},
                         timeout=60)
        assert ran.status_code == 200, ran.text
        run = httpx.get(f"{url}/threads/{thread}/runs", timeout=30).json()[0]["run_id"]
        page.goto(f"{url}/#tab=threads&thread={thread}&run={run}")
        expect(page.locator("#studio-run-status")).to_contain_text("success")
        expect(page.locator("#studio-diagram svg")).to_be_visible()
        expect(page.locator("#studio-checkpoints li").first).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at phone width"
        shoot(page, "studio_phone")
