"""GSM8K final-number scoring and the brute-force 24 solver, checked by the exact verifier."""

from __future__ import annotations

import pytest

from tools.evals.game24 import solve_24
from tools.evals.gsm8k import final_number, gsm8k_correct, gsm8k_reference
from workflows.strategies.game24 import verify_24
from workflows.strategies.tasks import game24_puzzles


@pytest.mark.parametrize(
    ("reply", "number"),
    [
        ("She makes 9 * 2 = $18.\nAnswer: $18", "18"),
        ("so the total is 1,200 dollars.\n#### 1,200", "1200"),
        ("The answer is 3.50.", "3.5"),
        ("First 16 - 3 - 4 = 9 eggs, then 9 * 2 = 18", "18"),
        ("-4", "-4"),
        ("no numbers at all", None),
    ],
)
def test_final_number(reply: str, number: str | None) -> None:
    assert final_number(reply) == number


def test_gsm8k_reference_and_exact_match() -> None:
    assert gsm8k_reference("16 - 3 - 4 = <<16-3-4=9>>9\n#### 18") == "18"
    assert gsm8k_correct("$18.00", "18") and gsm8k_correct("1,200", "1200")
    assert not gsm8k_correct("17", "18") and not gsm8k_correct(None, "18")
    with pytest.raises(ValueError, match="no '#### answer'"):
        gsm8k_reference("no marker")


def test_the_solver_answers_every_puzzle_of_the_dataset_and_the_verifier_accepts_each() -> None:
    puzzles = game24_puzzles()
    answers = {p: solve_24(p) for p in puzzles}
    assert all(verify_24(answer, p) for p, answer in answers.items()), [p for p, a in answers.items() if not a]
    assert verify_24(solve_24("3 3 8 8"), "3 3 8 8")  # needs a fraction: 8 / (3 - 8 / 3)


@pytest.mark.parametrize("puzzle", ["1 1 1 1", "1 1 1 2", "13 13 13 13"])
def test_the_solver_finds_nothing_where_nothing_exists(puzzle: str) -> None:
    assert solve_24(puzzle) is None


def test_the_solver_refuses_a_malformed_puzzle() -> None:
    with pytest.raises(ValueError, match="whole numbers"):
        solve_24("4 5 six 10")
