"""Playwright in Debian's Chromium against a real `thinkroom serve`: the dashboard tested by clicking.

`studio(rules)` starts a server on the scripted model with those rules and yields its URL;
`browser_page` is a fresh page (1280x800) in a shared headless Chromium. `shoot(page, name)`
keeps a screenshot under tests/artifacts/screenshots/ (a test artefact, ignored by git).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.server.helpers import running_server
from tests.server.test_dashboard import CHROMIUM

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's headless chromium is not installed")

#: Offline except for loopback: nothing the page does may reach the internet.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
#: A bound so a broken flow fails instead of hanging; nothing asserts on time.
WAIT_MS = 60_000

Studio = Callable[..., AbstractContextManager[str]]


@pytest.fixture
def studio(tmp_path: Path) -> Studio:
    """`with studio(rules, **env) as url:` a scripted `thinkroom serve` answering with `rules`."""

    @contextmanager
    def start(rules: list[dict[str, Any]] | None = None, **env: str) -> Iterator[str]:
        path = tmp_path / "rules.json"
        path.write_text(json.dumps(rules or [{"pattern": ".", "response": "ok"}]))
        settings = {"THINKROOM_BACKEND": "scripted", "THINKROOM_SCRIPTED_RULES": str(path), **env}
        with running_server(tmp_path, **settings) as url:
            yield url

    return start


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """One Chromium per test module. Not per session: while Playwright's sync API is open its event
    loop counts as running in this thread, so every later asyncio test would fail to start its own."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium_browser: Any) -> Iterator[Any]:
    """A fresh page at 1280x800 whose uncaught page errors fail the test."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"the page raised: {errors}"


def shoot(page: Any, name: str) -> Path:
    """Keep a full-page screenshot as a test artefact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
