"""The one evaluator-score parser: every form models write, one scale, None when no score is stated."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.grading.score import parse_reasons, parse_score, render_grade


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SCORE: 7\nREASONS: ok", 7.0),
        ("Score: 7", 7.0),
        ("7/10", 7.0),
        ("I give it 7/10.", 7.0),
        ("score 7 out of 10", 7.0),
        ("It scores 6 out of 10 because it works", 6.0),
        ("The score is 8.5", 8.5),
        ('{"score": 7}', 7.0),
        ('```json\n{"score": "8", "reasons": ["a"]}\n```', 8.0),
        ('{"verdict": "correct", "reasons": ["the score is low"], "score": 3}', 3.0),
        ("**Score:** 3/5", 6.0),  # another denominator is rescaled
        ("SCORE: 8/10\nREASONS:\n- fine", 8.0),
        ("Score = 14. Great.", 10.0),  # clamped to the scale
        ("Score: -3", 0.0),
        ("Final Answer: SCORE: 9\nREASONS:\n- reads well", 9.0),
    ],
)
def test_every_form_reads_as_one_score(text: str, expected: float) -> None:
    assert parse_score(text) == expected


@pytest.mark.parametrize(
    "text",
    ["great answer", "half of it: 1/2", "dated 12/10/2024", "Score: 5/0", "SCORE: n/a", "", '{"verdict": "ok"}'],
)
def test_no_stated_score_is_none(text: str) -> None:
    assert parse_score(text) is None


def test_a_bare_fraction_counts_only_on_the_scale() -> None:
    assert parse_score("3/5 of the tests pass") is None
    assert parse_score("3/5 of the tests pass", scale=5) == 3.0
    assert parse_score("Score: 7", scale=5) == 5.0  # a plain score is already on the caller's scale, clamped


def test_labelled_scores_read_one_of_several() -> None:
    text = "SCORE A: 5\nSCORE B: 9/10\nBETTER: B"
    assert parse_score(text, label="A") == 5.0
    assert parse_score(text, label="B") == 9.0
    assert parse_score("SCORE: 4", label="A") is None


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        ("SCORE: 7\nREASONS:\n- correct\n- terse", "- correct\n- terse"),
        ("**Score:** 6\n**Reasons:**\n- ok", "- ok"),
        ("**SCORE:** 7\nGood", "Good"),
        ("Score = 14. Great.", "Great."),
        ("It scores 6 out of 10 because it works", "It because it works"),
        ('{"score": 9, "reasons": ["right", "clear"]}', "- right\n- clear"),
        ('{"score": 9}', ""),
        ("no score here", "no score here"),
    ],
)
def test_reasons(text: str, reasons: str) -> None:
    assert parse_reasons(text) == reasons


@given(st.integers(min_value=0, max_value=10), st.sampled_from(["SCORE: {}", "{}/10", "score {} out of 10"]))
def test_written_forms_agree(n: int, form: str) -> None:
    assert parse_score(form.format(n)) == float(n)


@given(st.floats(min_value=-50, max_value=50, allow_nan=False).map(lambda x: round(x, 2)))
def test_rendered_grades_parse_back_clamped(value: float) -> None:
    clamped = min(max(value, 0.0), 10.0)
    text = render_grade(clamped, "- why")
    assert parse_score(text) == pytest.approx(clamped) and parse_reasons(text) == "- why"
    assert parse_score(f"SCORE: {value}") == pytest.approx(clamped)
