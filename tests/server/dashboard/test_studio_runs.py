"""The Threads studio's run view, clicked through in Chromium: watch a run live and cancel it, reload and open
a past run's trace, and fork a new run from a checkpoint."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.server.dashboard.conftest import WAIT_MS, Studio, shoot

expect.set_options(timeout=WAIT_MS)  # a loaded machine is slow; nothing asserts on time

CHAT = {"messages": [{"role": "user", "content": "tell me a long story"}]}
MODES = ["values", "updates", "custom"]
#: A slow model: each streamed word waits, so the run is still going when Cancel is clicked.
SLOW = [{"pattern": ".", "response": " ".join(f"word{i}" for i in range(300)), "delay_s": 0.4}]
QUICK = [{"pattern": ".", "response": "A short and final reply."}]


def new_thread(url: str, title: str) -> str:
    res = httpx.post(f"{url}/threads", json={"metadata": {"title": title}}, timeout=60)
    assert res.status_code == 200, res.text
    return str(res.json()["thread_id"])


def start_run(url: str, thread: str, *, wait: bool) -> dict[str, Any]:
    body = {"assistant_id": "chat", "input": CHAT, "stream_mode": MODES}
    res = httpx.post(f"{url}/threads/{thread}/runs{'/wait' if wait else ''}", json=body, timeout=60)
    assert res.status_code == 200, res.text
    if wait:
        return dict(httpx.get(f"{url}/threads/{thread}/runs", timeout=30).json()[0])
    return dict(res.json())


def open_thread(page: Any, title: str) -> None:
    page.get_by_role("tab", name="Threads").click()
    page.get_by_role("button", name=title).click()


def test_watch_a_run_live_then_cancel_it_and_reopen_it_after_a_reload(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(SLOW) as url:
        thread = new_thread(url, "Slow story")
        run = start_run(url, thread, wait=False)
        page.goto(url)
        open_thread(page, "Slow story")
        page.get_by_role("button", name=re.compile(rf"Run {run['run_id'][:8]}")).click()

        # live: the node is running and its tokens arrive while the run goes on
        status = page.locator("#studio-run-status")
        expect(status).to_contain_text("running")
        expect(page.locator("#studio-timeline tr[data-node='respond']")).to_contain_text("running")
        expect(page.locator("#studio-tokens")).to_contain_text("word3")
        expect(page.locator("#studio-diagram svg")).to_be_visible()
        expect(page.locator("#studio-diagram g.node.st-running")).to_have_count(1)  # `respond`, coloured as running
        shoot(page, "studio_run_live")

        page.get_by_role("button", name="Cancel run").click()
        expect(status).to_contain_text("interrupted")
        expect(page.get_by_role("button", name="Cancel run")).to_be_hidden()
        assert httpx.get(f"{url}/threads/{thread}/runs/{run['run_id']}", timeout=30).json()["status"] == "interrupted"
        shoot(page, "studio_run_cancelled")

        # the URL names the run: a reload reopens the same run, with its stored trace
        assert f"run={run['run_id']}" in page.url
        page.reload()
        expect(page.locator("#studio-run-title")).to_contain_text(run["run_id"][:8])
        expect(page.locator("#studio-run-status")).to_contain_text("interrupted")
        expect(page.locator("#studio-trace")).to_contain_text("node.start · respond")
        expect(page.get_by_role("button", name=re.compile(rf"Run {run['run_id'][:8]}, interrupted"))).to_be_visible()


def test_reload_then_open_a_past_run_from_the_history(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(QUICK) as url:
        thread = new_thread(url, "Finished chat")
        first = start_run(url, thread, wait=True)
        page.goto(url)
        open_thread(page, "Finished chat")
        page.get_by_role("button", name=re.compile(rf"Run {first['run_id'][:8]}, success")).click()
        expect(page.locator("#studio-run-status")).to_contain_text("success")
        page.reload()

        # after the reload the run is picked from the thread's history again, and replays its events
        page.get_by_role("button", name=re.compile(rf"Run {first['run_id'][:8]}, success")).click()
        timeline = page.locator("#studio-timeline tr[data-node='respond']")
        expect(timeline).to_contain_text("done")
        expect(timeline.locator("td").nth(1)).to_have_text(re.compile(r"^\d+(\.\d+)? s$"))  # a rounded duration
        trace = page.locator("#studio-trace")
        expect(trace).to_contain_text("node.end · respond")
        expect(trace).to_contain_text("updates")
        expect(page.locator("#studio-tokens")).to_contain_text("A short and final reply.")
        expect(page.locator("#studio-run-facts")).to_contain_text("Tokens")
        page.locator("#studio-run-facts summary").click()
        expect(page.locator("#studio-run-input")).to_contain_text("tell me a long story")  # what the run was given
        expect(page.locator("#studio-result")).to_contain_text("A short and final reply.")
        expect(page.locator("#studio-checkpoints li").first).to_be_visible()
        expect(page.locator("#studio-diagram g.node.st-done")).to_have_count(1)
        shoot(page, "studio_past_run")


def test_fork_from_a_checkpoint_makes_a_new_run(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(QUICK) as url:
        thread = new_thread(url, "Fork me")
        first = start_run(url, thread, wait=True)
        page.goto(f"{url}/#tab=threads&thread={thread}&run={first['run_id']}")
        expect(page.locator("#studio-run-status")).to_contain_text("success")

        # the checkpoint before `respond` ran: forking it runs `respond` again, as a new run on the thread
        before = page.locator("#studio-checkpoints li", has_text="next: respond").first
        before.get_by_role("button", name=re.compile(r"^Fork from step")).click()
        title = page.locator("#studio-run-title")
        expect(title).not_to_contain_text(first["run_id"][:8])
        expect(page.locator("#studio-run-status")).to_contain_text("success")
        runs = httpx.get(f"{url}/threads/{thread}/runs", timeout=30).json()
        assert len(runs) == 2
        forked = next(r for r in runs if r["run_id"] != first["run_id"])
        history = httpx.post(f"{url}/threads/{thread}/history", json={"limit": 50}, timeout=30).json()
        before_respond = [s["checkpoint"]["checkpoint_id"] for s in history if s["next"] == ["respond"]
                          and s["metadata"].get("run_id") == first["run_id"]]
        assert forked["kwargs"]["checkpoint_id"] in before_respond  # it started on that checkpoint
        assert forked["metadata"]["forked_from"] == forked["kwargs"]["checkpoint_id"]
        expect(title).to_contain_text(forked["run_id"][:8])
        expect(page.locator("#studio-run-facts")).to_contain_text(f"checkpoint {forked['kwargs']['checkpoint_id'][:8]}")
        expect(page.locator(".studio-run-open")).to_have_count(2)
        expect(page.locator("#studio-timeline tr[data-node='respond']")).to_contain_text("done")
        shoot(page, "studio_forked")


def test_a_run_without_node_events_gets_its_timeline_from_its_checkpoints(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio(QUICK) as url:
        thread = new_thread(url, "Values only")
        question = {"question": "What is 6*7?", "strategy": "cot_sc", "config": {"n": 2}}
        body = {"assistant_id": "reason", "input": question}  # stream_mode "values" only, the default
        assert httpx.post(f"{url}/threads/{thread}/runs/wait", json=body, timeout=60).status_code == 200
        run = httpx.get(f"{url}/threads/{thread}/runs", timeout=30).json()[0]["run_id"]
        page.goto(f"{url}/#tab=threads&thread={thread}&run={run}")
        expect(page.locator("#studio-run-status")).to_contain_text("success")
        timeline = page.locator("#studio-timeline tr")
        expect(timeline.first).to_have_attribute("data-node", "setup")
        expect(page.locator("#studio-timeline tr[data-node='vote']")).to_contain_text("done")
        expect(page.locator("#studio-trace")).not_to_contain_text("node.start")  # no node events were stored
        shoot(page, "studio_timeline_from_checkpoints")


def test_fork_with_an_edited_state_runs_on_the_edit(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    rules = [{"pattern": "edited question", "response": "A reply to the edit."}, *QUICK]
    with studio(rules) as url:
        thread = new_thread(url, "Edit me")
        first = start_run(url, thread, wait=True)
        page.goto(f"{url}/#tab=threads&thread={thread}&run={first['run_id']}")
        expect(page.locator("#studio-result")).to_contain_text("A short and final reply.")

        before = page.locator("#studio-checkpoints li", has_text="next: respond").first
        before.locator("summary", has_text="State").click()
        editor = before.get_by_label(re.compile(r"State to fork from at step"))
        editor.fill(editor.input_value().replace("tell me a long story", "edited question"))
        before.get_by_role("button", name=re.compile(r"with the edited state$")).click()
        expect(page.locator("#studio-run-title")).not_to_contain_text(first["run_id"][:8])
        expect(page.locator("#studio-result")).to_contain_text("A reply to the edit.")
        state = httpx.get(f"{url}/threads/{thread}/state", timeout=30).json()["values"]
        assert [m["content"] for m in state["messages"]] == ["edited question", "A reply to the edit."]
        shoot(page, "studio_fork_edited")

        # the first run still shows its own result, not the thread's state since the fork
        page.get_by_role("button", name=re.compile(rf"Run {first['run_id'][:8]}")).click()
        expect(page.locator("#studio-run-title")).to_contain_text(first["run_id"][:8])
        expect(page.locator("#studio-result")).to_contain_text("A short and final reply.")
        expect(page.locator("#studio-result")).not_to_contain_text("A reply to the edit.")


def test_an_interrupt_without_a_result_view_is_answered_in_the_run_view(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio() as url:
        thread = new_thread(url, "Quiz me")
        body = {"assistant_id": "lesson", "input": {"concept": "pass_at_k"}, "stream_mode": MODES}
        assert httpx.post(f"{url}/threads/{thread}/runs/wait", json=body, timeout=120).status_code == 200
        paused = httpx.get(f"{url}/threads/{thread}/runs", timeout=30).json()[0]["run_id"]
        page.goto(url)
        page.evaluate("delete RESULT_VIEWS.lesson")  # a graph the Workflows tab draws nothing for
        open_thread(page, "Quiz me")
        page.get_by_role("button", name=re.compile(rf"Run {paused[:8]}")).click()
        result = page.locator("#studio-result")
        expect(result).to_contain_text("Waiting for input")
        expect(result).to_contain_text("What is pass@1 for n = 10, c = 3?")  # the interrupt's payload
        page.get_by_label("Your answer (JSON or text)").fill('{"answers": ["0.3", "0.5", "no idea"]}')
        page.get_by_role("button", name="Resume").click()

        # the resume is a new run on the thread, opened at once; it grades the answers
        expect(page.locator("#studio-run-title")).not_to_contain_text(paused[:8])
        expect(page.locator("#studio-run-status")).to_contain_text("success")
        expect(page.locator("#studio-timeline tr[data-node='grade']")).to_contain_text("done")
        expect(result).not_to_contain_text("Waiting for input")
        state = httpx.get(f"{url}/threads/{thread}/state", timeout=30).json()
        assert state["values"]["answers"] == ["0.3", "0.5", "no idea"] and not state["next"]
        shoot(page, "studio_resumed")

        # the paused run, opened again, shows its own output: its quiz was answered by the run after it
        page.get_by_role("button", name=re.compile(rf"Run {paused[:8]}")).click()
        expect(page.locator("#studio-run-title")).to_contain_text(paused[:8])
        expect(page.locator("#studio-state")).to_be_visible()
        expect(result).not_to_contain_text("Waiting for input")
        assert "answers" not in page.locator("#studio-state").inner_text()
