"""The exact Game of 24 step verifier: operands from the numbers left, exact arithmetic, exact 'left:'."""

from __future__ import annotations

from fractions import Fraction

import pytest

from workflows.strategies import get_task
from workflows.strategies.game24 import InvalidStep, answer_problem, check_step, numbers_after, renders

START = [Fraction(n) for n in (4, 5, 6, 10)]


@pytest.mark.parametrize(
    ("line", "left"),
    [
        ("4 + 5 = 9 (left: 6 9 10)", ["6", "9", "10"]),
        ("4 + 5 = 9 (left: 6, 9, 10)", ["6", "9", "10"]),  # commas are separators
        ("10 / 6 = 5/3 (left: 4 5 5/3)", ["4", "5", "5/3"]),
        ("10 / 6 = 1.666 (left: 1.666 4 5)", ["4", "5", "5/3"]),  # truncated, as models write it
        ("10 ÷ 6 ≈ 1.67 (left: 4 5 1.67)", ["4", "5", "5/3"]),  # rounded; the exact 5/3 is carried on
        ("4 - 5 = -1 (left: -1 6 10)", ["6", "10", "-1"]),
        ("4 × 5 = 20 (approx.) (left: 6 10 20)", ["6", "10", "20"]),
    ],
)
def test_valid_steps_leave_the_exact_numbers(line: str, left: list[str]) -> None:
    assert sorted(check_step(START, line)) == sorted(Fraction(x) for x in left)


@pytest.mark.parametrize(
    ("numbers", "line", "reason"),
    [
        ([4, 5, 10], "10 / 6 = 30 (left: 30 10 10)", "6 is not among the numbers left (4 5 10)"),
        ([4, 5, 6, 10], "10 / 6 = 30 (left: 30 10 10)", "10 / 6 = 5/3, not 30"),
        ([4, 5, 6, 10], "10 / 6 = 1.6 (left: 4 5 1.6)", "10 / 6 = 5/3, not 1.6"),  # one place is not a rendering
        ([4, 5, 6, 10], "10 + 10 = 20 (left: 4 5 6 20)", "10 is used twice but left only once (4 5 6 10)"),
        ([4, 5, 6, 10], "4 + 5 = 9 (left: 6 9)", "the numbers left are 6 9 10, not 6 9"),
        ([4, 5, 6, 10], "4 + 5 = 9 (left: 4 6 9 10)", "the numbers left are 6 9 10, not 4 6 9 10"),
        ([4, 5, 6, 10], "4 + 5 = 9 (left: 6 9 11)", "the numbers left are 6 9 10, not 6 9 11"),
        ([4, 5, 6, 10], "4 + 5 = 9 (left: 6 nine 10)", "'nine' is not a number"),
        ([0, 5, 6, 10], "6 / 0 = 6 (left: 5 6 10)", "division by zero"),
        ([4, 5, 6, 10], "(left: 4 5 6 10)", "not a step of the form 'a op b = c (left: ...)'"),
        ([4, 5, 6, 10], "4 + 5 = 9", "not a step of the form 'a op b = c (left: ...)'"),
    ],
)
def test_invalid_steps_say_why(numbers: list[int], line: str, reason: str) -> None:
    with pytest.raises(InvalidStep) as raised:
        check_step([Fraction(n) for n in numbers], line)
    assert raised.value.reason == reason


def test_replay_carries_exact_values_so_roundings_never_compound() -> None:
    steps = "8 / 3 = 2.667 (left: 2.667 3 8)\n3 - 2.667 = 0.333 (left: 0.333 8)\n8 / 0.333 = 24 (left: 24)\n"
    assert numbers_after("3 3 8 8", steps) == [Fraction(24)]
    # 15 * 0.666 is 10 on the exact 2/3 the 0.666 stands for, so 9.99 is wrong
    with pytest.raises(InvalidStep, match=r"15 \* 2/3 = 10, not 9.99"):
        numbers_after("3 10 15 15", "10 / 15 = 0.666 (left: 0.666 3 15)\n15 * 0.666 = 9.99 (left: 3 9.99)\n")
    assert renders("1.67", Fraction(5, 3)) and renders("1.666", Fraction(5, 3)) and not renders("1.7", Fraction(5, 3))
    assert not renders("1.68", Fraction(5, 3)) and renders("-0.33", Fraction(-1, 3))


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("Answer: (4 * 5) + (10 - 6) = 24", None),
        ("Answer: (4 + 5) * 6 - 10 = 24", "(4 + 5) * 6 - 10 = 44, not 24"),
        ("Answer: 4 * 6 = 24", "4 * 6 uses 4 6, not 4 5 6 10"),
        ("Answer: twenty-four", "'twenty-four' is not an arithmetic expression of whole numbers"),
    ],
)
def test_answer_lines_verify_exactly(answer: str, reason: str | None) -> None:
    assert answer_problem(answer, "4 5 6 10") == reason


def test_the_task_checks_a_step_against_its_whole_path() -> None:
    task = get_task("game24", puzzle="4 5 6 10")
    state = "10 - 6 = 4 (left: 4 4 5)\n"
    assert task.verifies_steps and task.step_problem(state, "4 * 4 = 16 (left: 5 16)") is None
    assert task.step_problem(state, "6 + 4 = 10 (left: 4 5 10)") == "6 is not among the numbers left (4 4 5)"
    assert task.step_problem("", "Answer: (4 * 5) + (10 - 6) = 24") is None
    generic = get_task("generic", question="q")
    assert not generic.verifies_steps and generic.step_problem("", "10 / 6 = 30 (left: 30)") is None
