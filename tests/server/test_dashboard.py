"""The dashboard at `/`: served with its assets, and rendered from live API data by a real headless Chromium."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.server.helpers import running_server

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's headless chromium is not installed (`make system-deps` installs it)"
)


def propose(numbers: str, lines: list[str]) -> dict[str, str]:
    return {"pattern": rf"Input: {re.escape(numbers)}\nPossible next steps:\n\Z", "response": "\n".join(lines)}


def value(numbers: str, verdict: str) -> dict[str, str]:
    return {"pattern": rf"\n{re.escape(numbers)}\n\Z", "response": f"{numbers}\nthinking\n{verdict}"}


RULES = [  # a Game of 24 the scripted model solves in three steps, a self-consistent answer, and a chat reply
    propose("4 5 6 10", ["10 - 6 = 4 (left: 4 4 5)", "4 + 5 = 9 (left: 6 9 10)"]),
    propose("4 4 5", ["4 * 5 = 20 (left: 4 20)", "4 + 4 = 8 (left: 5 8)"]),
    propose("4 20", ["4 + 20 = 24 (left: 24)", "20 - 4 = 16 (left: 16)"]),
    value("4 4 5", "sure"),
    value("6 9 10", "impossible"),
    value("4 20", "sure"),
    value("5 8", "likely"),
    value("24", "sure"),
    value("16", "impossible"),
    {"pattern": r"6\*7", "response": "6*7 = 42.\nAnswer: 42"},
    {"pattern": r"(?i)\bhi\b", "response": "Hello from the <b>scripted</b> tutor!"},
    {"pattern": ".", "response": "I have nothing scripted for that."},
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("dashboard")
    rules = tmp / "rules.json"
    rules.write_text(json.dumps(RULES))
    with running_server(tmp, THINKROOM_BACKEND="scripted", THINKROOM_SCRIPTED_RULES=str(rules)) as url:
        yield url


def chromium(tmp_path: Path, url: str, *mode: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium, offline except for loopback, with a throwaway profile."""
    assert CHROMIUM is not None
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # nothing but the test server resolves
        f"--user-data-dir={profile}", "--virtual-time-budget=8000", *mode, url,
    ]  # fmt: skip
    result = subprocess.run(args, capture_output=True, text=True, timeout=45)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def dump_dom(tmp_path: Path, url: str) -> str:
    return chromium(tmp_path, url, "--dump-dom").stdout


def by_id(dom: str, element_id: str) -> str:
    """The text inside the element with this id (up to its first closing tag)."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', dom, re.S)
    assert match, f"#{element_id} not in the DOM"
    return match.group(1)


def test_page_and_assets_are_served(server: str) -> None:
    page = httpx.get(f"{server}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'src="/static/app.js"' in page.text and 'href="/static/app.css"' in page.text
    for name, media in [("app.js", "text/javascript"), ("app.css", "text/css"), ("index.html", "text/html")]:
        asset = httpx.get(f"{server}/static/{name}")
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(media), name
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", asset.text), f"{name} references the internet"
    assert "innerHTML" not in httpx.get(f"{server}/static/app.js").text  # model text only ever goes in as text
    for missing in ["nope.js", "..%2Fapp.py", "%2E%2E%2Froutes%2Fdashboard.py", ".hidden.js"]:
        assert httpx.get(f"{server}/static/{missing}").status_code == 404, missing


def test_dashboard_shell_is_public_but_its_data_needs_the_api_key(tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES))
    env = {"THINKROOM_BACKEND": "scripted", "THINKROOM_SCRIPTED_RULES": str(rules), "THINKROOM_API_KEY": "s3cret"}
    with running_server(tmp_path, **env) as url:
        assert httpx.get(f"{url}/").status_code == 200  # the page has no data; the browser can open it
        assert httpx.get(f"{url}/static/app.js").status_code == 200
        assert httpx.get(f"{url}/api/concepts").status_code == 401
        assert httpx.get(f"{url}/api/concepts", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert httpx.get(f"{url}/static/../api/concepts").status_code in (401, 404)


@needs_chromium
def test_browser_renders_status_and_concepts(server: str, tmp_path: Path) -> None:
    dom = dump_dom(tmp_path, f"{server}/")
    assert by_id(dom, "st-backend") == "scripted"
    assert by_id(dom, "st-reason") == "THINKROOM_BACKEND=scripted"
    listed = set(re.findall(r'data-name="([a-z0-9_]+)"', dom))
    assert {"bpe", "pass_at_k", "attention"} <= listed
    assert listed == {c["name"] for c in httpx.get(f"{server}/api/concepts").json()}


@needs_chromium
def test_browser_runs_a_concept_from_a_link(server: str, tmp_path: Path) -> None:
    example = httpx.get(f"{server}/api/concepts/pass_at_k").json()["example"]
    expected = httpx.post(f"{server}/api/concepts/pass_at_k/run", json=example).json()["result"]["pass_at_k"]
    dom = dump_dom(tmp_path, f"{server}/#concept=pass_at_k&run=1")
    shown = json.loads(by_id(dom, "concept-result-json"))
    assert shown["pass_at_k"] == round(expected, 4) and 0 < expected < 1  # shown rounded (issue 17)
    assert re.search(r'<details class="quiz"><summary>What is pass@1', dom)  # answers behind a click
    assert 'class="error"' not in dom


@needs_chromium
def test_browser_shows_errata_and_a_422_clearly(server: str, tmp_path: Path) -> None:
    errata = httpx.get(f"{server}/api/concepts/beam_search").json()["notes_errata"]
    bad = quote(json.dumps({"n": "x", "c": 1, "k": 1}))
    dom = dump_dom(tmp_path, f"{server}/?concept=beam_search#concept=pass_at_k&input={bad}&run=1")
    assert 'role="alert"' in dom and "Error 422" in dom
    assert re.search(r"<li><code>n</code> — Input should be a valid integer", dom)
    dom = dump_dom(tmp_path, f"{server}/?concept=beam_search")  # the query string works as well as the hash
    assert errata and '<aside class="errata"' in dom and "Where the notes are wrong" in dom
    assert html.escape(errata[0], quote=False)[:60] in dom


@needs_chromium
def test_browser_streams_a_chat_reply(server: str, tmp_path: Path) -> None:
    dom = dump_dom(tmp_path, f"{server}/#chat=prompt-engineer&prompt=hi")
    assert "Hello from the &lt;b&gt;scripted&lt;/b&gt; tutor!" in dom  # streamed in, and escaped
    assert re.search(r"usage: \d+ prompt \+ \d+ completion = \d+ tokens", dom)


@needs_chromium
def test_browser_shows_the_tutors_grounded_answer(server: str, tmp_path: Path) -> None:
    """The dashboard's chat with the tutor: the computed answer, not a model's guess (issue 10)."""
    question = quote("What is the softmax of the logits (2, 1, 0.1)?")
    dom = dump_dom(tmp_path, f"{server}/#chat=tutor&prompt={question}")
    assert "softmax(2, 1, 0.1) at temperature 1 = (0.659, 0.2424, 0.09857)" in dom
    assert "Where the notes are wrong" in dom or "Sources." in dom


@needs_chromium
def test_browser_runs_reasoning_live_and_screenshots_it(server: str, tmp_path: Path) -> None:
    link = f"{server}/#reason=cot_sc&question={quote('What is 6*7?')}&n=3&run=1"
    dom = dump_dom(tmp_path, link)
    assert by_id(dom, "reason-answer-text") == "42"
    assert re.search(r"<td>42</td><td><span[^>]*></span> 2</td>", dom)  # the vote tally
    assert "agreement 100%" in dom

    tot = f"{server}/#reason=tot&puzzle={quote('4 5 6 10')}&breadth=1&depth=3&run=1"
    dom = dump_dom(tmp_path, tot)
    assert by_id(dom, "reason-answer-text") == "(10 - 6) + (4 * 5) = 24"
    assert "✓ verified" in by_id(dom, "reason-verified")
    kept = re.findall(r'class="tot-node kept" data-node="(\d+)"', dom)
    pruned = re.findall(r'class="tot-node pruned" data-node="(\d+)"', dom)
    assert kept == ["1", "3", "5"] and sorted(pruned) == ["2", "4", "6"]

    shot = tmp_path / "dashboard-reason.png"
    chromium(tmp_path, tot, f"--screenshot={shot}", "--window-size=1280,900")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
