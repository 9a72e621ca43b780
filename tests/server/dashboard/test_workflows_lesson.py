"""The Workflows tab in Chromium: a learner runs a lesson, answers its quiz in the page, and sees the grade."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.dashboard.conftest import Studio, shoot
from tests.server.test_dashboard import CHROMIUM

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's headless chromium is not installed")
expect = sync_api.expect

#: pass_at_k's quiz (the course's own questions) and the learner's answers: right, wrong, and the reference's words.
ANSWERS = {
    "What is pass@1 for n = 10, c = 3?": "0.3",
    "What is pass@2 for n = 4, c = 1?": "0.25",
    "Why not compute 1 − (1 − c/n)^k?": "It is a biased estimator of pass@k (it underestimates); "
    "the unbiased one is 1 − C(n−c,k)/C(n,k).",
}


def test_a_learner_answers_the_lessons_quiz_in_the_page_and_sees_the_grade(studio: Studio, browser_page: Any) -> None:
    page = browser_page
    with studio() as url:
        page.goto(f"{url}/#tab=workflows")
        page.get_by_role("button", name="lesson", exact=True).click()
        form = page.locator("#wf-form")
        concept = form.get_by_label("concept")
        expect(concept).to_have_attribute("aria-required", "true")
        concept.select_option("pass_at_k")
        form.get_by_role("button", name="Run lesson").click()

        # the run pauses at the quiz interrupt: its questions are a form in the run's result view
        quiz = page.locator("form.wf-quiz:visible")
        quiz.wait_for()
        expect(page.locator(".wf-lesson:visible h3").first).to_contain_text("pass@k")
        worked = page.locator(".wf-lesson:visible .wf-cols pre").nth(1)  # the tool's result, rounded
        expect(worked).to_contain_text('"pass_at_k": 0.4976')
        for question, answer in ANSWERS.items():
            quiz.get_by_label(question).fill(answer)
        shoot(page, "workflows-lesson-quiz")
        quiz.get_by_role("button", name="Submit answers").click()

        # resuming grades the answers: the right ones score 1, the wrong one 0, rounded
        grades = page.get_by_role("region", name="Grades")
        grades.wait_for()
        expect(grades).to_contain_text("Score 2 / 3 (66.7%)")
        rows = grades.locator("tbody tr")
        expect(rows).to_have_count(3)
        scores = [rows.nth(i).locator("td").nth(2).inner_text() for i in range(3)]
        answers = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(3)]
        assert scores == ["1", "0", "1"]
        assert answers == list(ANSWERS.values())
        assert page.locator("form.wf-quiz:visible").count() == 0  # answered: no second quiz
        shoot(page, "workflows-lesson-graded")


def test_without_the_run_view_the_workflows_tab_follows_the_run_itself(studio: Studio, browser_page: Any) -> None:
    """If studio.js (openRun) is missing, the result, quiz and grade are drawn under the form."""
    page = browser_page
    page.route("**/static/studio.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
    with studio() as url:
        page.goto(f"{url}/#tab=workflows&workflow=lesson")
        form = page.locator("#wf-form")
        form.get_by_role("button", name="Run lesson").wait_for()
        form.get_by_label("concept").select_option("pass_at_k")
        form.get_by_role("button", name="Run lesson").click()
        result = page.locator("#wf-result")
        quiz = result.locator("form.wf-quiz")
        quiz.wait_for()
        expect(page.get_by_role("tab", name="Workflows")).to_have_attribute("aria-selected", "true")
        for question, answer in ANSWERS.items():
            quiz.get_by_label(question).fill(answer)
        quiz.get_by_role("button", name="Submit answers").click()
        grades = result.get_by_role("region", name="Grades")
        grades.wait_for()
        expect(grades).to_contain_text("Score 2 / 3 (66.7%)")
