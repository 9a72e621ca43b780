from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.strategies.answers import canonical_number, extract_answer, normalize_answer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Let me think.\nAnswer: 12\nWait, no.\nAnswer: 14", "14"),  # last Answer line wins
        ("**Answer:** 7.", "7."),
        ("Final answer: Paris", "Paris"),
        ("So the answer is 42. Done.", "42"),
        ('{"reasoning": "x", "answer": "9"}', "9"),
        ("She makes 9 * 2 = 18.\n#### 18", "18"),
        ("no answer here", None),
    ],
)
def test_extract_answer(text: str, expected: str | None) -> None:
    assert extract_answer(text) == expected


def test_extract_numeric_fallback_and_parsed_json() -> None:
    assert extract_answer("16 - 3 - 4 = 9 eggs, so 9 * 2 = 18 dollars", numeric=True) == "18"
    assert extract_answer("free text", numeric=False) is None
    assert extract_answer("ignored", parsed={"answer": 5}) == "5"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,000", "1000"),
        ("1000.0", "1000"),
        ("$1000", "1000"),
        ("$1,000.00", "1000"),
        ("-0.50", "-0.5"),
        ("  Paris. ", "paris"),
        ("**Blue**!", "blue"),
        ("New   York", "new york"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize_answer(raw) == expected


def test_normalize_numeric_reduces_text_to_the_number() -> None:
    assert normalize_answer("$18 per day", numeric=True) == "18"
    assert normalize_answer("16 - 3 - 4 = 9 eggs", numeric=True) == "9"
    assert normalize_answer("eighteen", numeric=True) == "eighteen"


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_number_formats_agree(n: int) -> None:
    forms = [str(n), f"{n:,}", f"{n}.0", f"{n}.00"]
    if n >= 0:
        forms += [f"${n}", f"${n:,}.00"]
    assert {normalize_answer(f) for f in forms} == {str(n)}


@given(st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=1000))
def test_canonical_number_is_idempotent_and_exact(d: object) -> None:
    canon = canonical_number(str(d))
    assert canon is not None
    assert canonical_number(canon) == canon


def test_a_copied_placeholder_is_no_answer() -> None:
    from workflows.strategies.answers import extract_answer

    assert extract_answer("20^12 = 648,573\nAnswer: <answer>") is None
    assert extract_answer("Answer: <answer>", numeric=True) is None
    assert extract_answer("so\nAnswer: 84") == "84"


def test_strategies_and_the_concept_lab_share_the_one_normaliser() -> None:
    from tools.concepts import reasoning
    from tools.evals import answers

    assert normalize_answer is answers.normalize_answer is reasoning.normalize_answer
