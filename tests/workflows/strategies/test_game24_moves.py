"""Game of 24's legal steps: each one valid under the exact verifier, none repeated, no solution lost."""

from __future__ import annotations

from fractions import Fraction

from workflows.strategies.game24 import check_step, numbers_after, verify_24
from workflows.strategies.game24_moves import legal_moves, next_steps
from workflows.strategies.tasks import game24_puzzles


def nums(text: str) -> list[Fraction]:
    return [Fraction(t) for t in text.split()]


def test_every_legal_move_passes_the_exact_step_verifier() -> None:
    numbers = nums("4 5 6 10")
    moves = legal_moves(numbers)
    assert len(moves) == 30  # 6 pairs x (+, larger - smaller, *, two divisions); no state repeats here
    for move in moves:
        assert sorted(check_step(numbers, move.text)) == [*move.left]  # exact result, exact "left:" list
        assert move.result >= 0 and list(move.left) == sorted(move.left)
    texts = [m.text for m in moves]
    assert "4 * 5 = 20 (left: 6 10 20)" in texts and "10 / 6 = 5/3 (left: 5/3 4 5)" in texts
    assert "5 - 4 = 1 (left: 1 6 10)" in texts and "4 - 5 = -1 (left: -1 6 10)" not in texts


def test_equal_numbers_commutativity_and_zero_give_no_duplicate_or_illegal_step() -> None:
    assert [m.text for m in legal_moves(nums("1 1 1 1"))] == [
        "1 + 1 = 2 (left: 1 1 2)",
        "1 - 1 = 0 (left: 0 1 1)",
        "1 * 1 = 1 (left: 1 1 1)",
    ]
    moves = legal_moves(nums("0 3 3 8"))
    assert not any(m.op == "/" and m.b == 0 for m in moves)
    lefts = [m.left for m in moves]
    assert len(lefts) == len(set(lefts))  # 3 * 1 and 3 / 1 style repeats are listed once
    assert len(legal_moves(nums("2 3"))) == 5 and legal_moves(nums("7")) == []


def test_next_steps_end_in_the_answer_the_path_makes() -> None:
    puzzle = "4 5 6 10"
    path = "4 * 5 = 20 (left: 6 10 20)\n10 - 6 = 4 (left: 4 20)\n"
    assert next_steps(puzzle, path)[0] == "4 + 20 = 24 (left: 24)"  # numbers sorted, smaller first
    (answer,) = next_steps(puzzle, path + "4 + 20 = 24 (left: 24)\n")
    assert answer == "Answer: (10 - 6) + (4 * 5) = 24" and verify_24(answer, puzzle)
    assert next_steps(puzzle, path + "4 * 20 = 80 (left: 80)\n") == []  # a dead end
    assert next_steps(puzzle, "10 / 6 = 30 (left: 30 10 10)\n") == []  # an invalid path has no legal step
    assert len(next_steps(puzzle, "")) == 30


def solvable(numbers: tuple[Fraction, ...]) -> bool:
    if len(numbers) == 1:
        return numbers[0] == 24
    return any(solvable(move.left) for move in legal_moves(numbers))


def test_the_pruned_moves_lose_no_solution_on_the_papers_test_puzzles() -> None:
    """Every puzzle of the paper's test set (24.csv 900-999) is solvable through legal moves alone."""
    unsolved = [p for p in game24_puzzles()[900:1000] if not solvable(tuple(nums(p)))]
    assert unsolved == []
    assert not solvable(tuple(nums("1 1 1 1")))  # and an unsolvable one stays unsolved


def test_a_path_of_legal_steps_to_24_ends_in_a_verified_answer() -> None:
    puzzle, state = "1 1 4 6", ""
    while not state.endswith("(left: 24)\n"):  # follow the first step that keeps 24 reachable
        state += next(s for s in next_steps(puzzle, state) if solvable(tuple(numbers_after(puzzle, state + s))))
        state += "\n"
    (answer,) = next_steps(puzzle, state)
    assert answer.startswith("Answer:") and verify_24(answer, puzzle)
