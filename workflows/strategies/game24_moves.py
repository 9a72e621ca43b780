"""Game of 24's legal next steps, computed exactly, so a model can choose a step instead of writing one.

A small model cannot do the arithmetic or keep the "left:" list (Gemma 3 270M wrote 82 of 82
steps wrong), but from any state the legal steps are few: each pair of numbers left under
+, -, * and / (at most 30 from four numbers). The program computes each on Fractions and
renders it in the paper's step format; ToT's "choice" mode lets the model pick among them
under constrained decoding, so every proposal is valid by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

from .game24 import InvalidStep, expression_from_steps, numbers_after, show


@dataclass(frozen=True)
class Move:
    """One step 'a op b = result (left: ...)', exact; `left` is sorted as in the paper's prompt."""

    a: Fraction
    op: str
    b: Fraction
    result: Fraction
    left: tuple[Fraction, ...]

    @property
    def text(self) -> str:
        left = " ".join(show(v) for v in self.left)
        return f"{show(self.a)} {self.op} {show(self.b)} = {show(self.result)} (left: {left})"


def _apply(a: Fraction, op: str, b: Fraction) -> Fraction:
    return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else a}[op]


def legal_moves(numbers: Sequence[Fraction]) -> list[Move]:
    """Every distinct next step from `numbers`, pairs in input order, then + - * /.

    Pruned without losing a solution:
    - subtraction is larger minus smaller: any expression's absolute value is reachable with
      non-negative intermediates (|a±b| is |a|+|b| or their difference), and 24 > 0;
    - division by zero is skipped;
    - two steps that leave the same numbers (6 * 1 and 6 / 1; 2 + 2 and 2 * 2) are the same
      state, whose prospects depend only on the numbers left: only the first is listed.
    """
    moves: list[Move] = []
    seen: set[tuple[Fraction, ...]] = set()
    for i, j in combinations(range(len(numbers)), 2):
        x, y = numbers[i], numbers[j]
        rest = [v for k, v in enumerate(numbers) if k not in (i, j)]
        big, small = (x, y) if x >= y else (y, x)
        candidates = [(x, "+", y), (big, "-", small), (x, "*", y)]
        if y != 0:
            candidates.append((x, "/", y))
        if x != 0 and x != y:
            candidates.append((y, "/", x))
        for a, op, b in candidates:
            result = _apply(a, op, b)
            left = tuple(sorted([*rest, result]))
            if left not in seen:
                seen.add(left)
                moves.append(Move(a, op, b, result, left))
    return moves


def next_steps(puzzle: str, state: str) -> list[str]:
    """The legal lines that may follow `state`: its steps, or, once 24 alone is left, the one
    'Answer:' line the path's steps make (built here, so it verifies). Empty at a dead end
    (one number that is not 24) or after an invalid step."""
    try:
        numbers = numbers_after(puzzle, state)
    except InvalidStep:
        return []
    if len(numbers) > 1:
        return [move.text for move in legal_moves(sorted(numbers))]
    expression = expression_from_steps(puzzle, state) if numbers == [24] else None
    return [f"Answer: {expression} = 24"] if expression else []


__all__ = ["Move", "legal_moves", "next_steps"]
