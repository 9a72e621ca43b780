"""Course techniques applied by rule, prompts meeting inputs, outputs meeting expected answers."""

from __future__ import annotations

import pytest

from tools.reasoning.prompts import (
    TECHNIQUES,
    apply_technique,
    listed_lines,
    matches_expected,
    strip_markers,
    with_input,
)


def test_every_course_technique_applies_by_rule_and_keeps_the_prompt() -> None:
    applied = {t: apply_technique("  Explain top-p.  ", t) for t in TECHNIQUES}
    assert all("Explain top-p." in text and text != "Explain top-p." for text in applied.values())
    assert len(set(applied.values())) == len(TECHNIQUES)
    assert applied["chain of thought"].endswith("on its own last line as 'Answer: ...'.")
    with pytest.raises(ValueError, match="unknown technique 'magic'"):
        apply_technique("x", "magic")


def test_a_prompt_meets_its_input_in_its_slot_or_after_it() -> None:
    assert with_input("Translate: {input}", "hola") == "Translate: hola"
    assert with_input("Translate to English.", "hola") == "Translate to English.\n\nhola"
    assert with_input("Translate to English.", "") == "Translate to English."


def test_delimiters_and_lists_are_read_out_of_a_reply() -> None:
    assert strip_markers("Prompt:\n<<<\nBe brief.\n>>>") == "Be brief."
    assert listed_lines("1. bread\n- cakes\n\n- bread\n>>>\n3) pies", 3) == ["bread", "cakes", "pies"]


@pytest.mark.parametrize(
    ("output", "expected", "hit"),
    [
        ("Six sevens: Answer: 42", "42", True),
        ("It is 42.0 exactly", "42", True),
        ("Answer: 41", "42", False),
        ("The capital is Paris.", "paris", True),
        ("Parisian bakeries", "Paris", False),
    ],
)
def test_an_output_matches_its_expected_answer_once_normalised(output: str, expected: str, hit: bool) -> None:
    assert matches_expected(output, expected) is hit
