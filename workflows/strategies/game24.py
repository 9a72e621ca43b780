"""Game of 24 arithmetic: the repo's 'left:' parsing, exact answer and step verifiers, step replay.

The verifiers never trust the model. An answer is parsed with `ast` (only + - * / on
whole-number literals), evaluated on Fractions (so 8 / 3 * 3 is exactly 8) and must use
exactly the puzzle's multiset of numbers. A step 'a op b = c (left: ...)' is replayed on
the exact numbers its path leaves (see `check_step`).
"""

from __future__ import annotations

import ast
import math
import re
from collections import Counter
from fractions import Fraction

_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_STEP = re.compile(r"^\s*(-?[\d.]+(?:/\d+)?)\s*([-+*/×÷xX])\s*(-?[\d.]+(?:/\d+)?)\s*(?:=|≈)")


def get_current_numbers(state: str) -> str:
    """The numbers after 'left: ' on the last line (the ToT repo's rule)."""
    last_line = state.strip().split("\n")[-1]
    return last_line.split("left: ")[-1].split(")")[0]


def _clean(expression: str) -> str:
    expr = expression.strip()
    expr = re.sub(r"^\s*answer\s*:\s*", "", expr, flags=re.IGNORECASE)
    expr = expr.split("=")[0]
    return expr.replace("×", "*").replace("÷", "/").replace("−", "-").strip()


def _evaluate(node: ast.AST, used: list[int]) -> Fraction:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, used)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        left, right = _evaluate(node.left, used), _evaluate(node.right, used)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if right == 0:
            raise ZeroDivisionError
        return left / right
    if isinstance(node, ast.Constant) and type(node.value) is int and node.value >= 0:
        used.append(node.value)
        return Fraction(node.value)
    raise ValueError(f"not allowed in a Game of 24 answer: {ast.dump(node)}")


def evaluate_expression(expression: str) -> tuple[Fraction, list[int]]:
    """Exact value of an arithmetic expression and the literals it uses; ValueError otherwise."""
    try:
        tree = ast.parse(_clean(expression), mode="eval")
        used: list[int] = []
        return _evaluate(tree, used), used
    except (SyntaxError, ZeroDivisionError, RecursionError) as exc:
        raise ValueError(f"cannot evaluate {expression!r}: {exc}") from exc


def verify_24(answer: str | None, puzzle: str) -> bool:
    """True only for an expression that uses exactly the puzzle's numbers (each once) and equals 24."""
    if not answer:
        return False
    try:
        value, used = evaluate_expression(answer)
    except ValueError:
        return False
    return value == 24 and Counter(used) == Counter(int(n) for n in puzzle.split())


def _number(text: str) -> Fraction | None:
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None


def expression_from_steps(puzzle: str, state: str) -> str | None:
    """Rebuild one expression from 'a op b = c (left: ...)' steps, computing each result exactly.

    Operands are matched to the remaining numbers by value, exactly if one is equal, else within
    1% (models write 0.666 for 2/3); the model's own '= c' is ignored. None unless exactly one number, 24, remains.
    """
    pool: list[tuple[Fraction, str]] = [(Fraction(int(n)), n) for n in puzzle.split()]
    for line in state.strip().split("\n"):
        match = _STEP.match(line)
        if not match:
            continue
        a, op, b = _number(match.group(1)), match.group(2), _number(match.group(3))
        if a is None or b is None:
            return None
        picked: list[tuple[Fraction, str]] = []
        for target in (a, b):
            index = next((i for i, (v, _) in enumerate(pool) if v == target), None)  # an exact match first
            if index is None:
                index = next((i for i, (v, _) in enumerate(pool) if abs(v - target) <= abs(v) / 100), None)
            if index is None:
                return None
            picked.append(pool.pop(index))
        (va, ea), (vb, eb) = picked
        symbol = {"×": "*", "x": "*", "X": "*", "÷": "/"}.get(op, op)
        if symbol == "/" and vb == 0:
            return None
        result = {"+": va + vb, "-": va - vb, "*": va * vb, "/": va / vb if vb else va}[symbol]
        pool.append((result, f"({ea} {symbol} {eb})"))
    if len(pool) == 1 and pool[0][0] == 24:
        expr = pool[0][1]
        return expr[1:-1] if expr.startswith("(") and expr.endswith(")") else expr
    return None


# --------------------------------------------------------------------------- step verifier

_NUM = r"\(?\s*-?\d+(?:\.\d+)?(?:/\d+)?\s*\)?"
_CHECKED_STEP = re.compile(
    rf"^\s*(?P<a>{_NUM})\s*(?P<op>[-+*/×÷xX−])\s*(?P<b>{_NUM})\s*(?:=|≈)\s*(?P<c>{_NUM})"
    r"[^()]*(?:\([^()]*\)[^()]*)*?\(\s*left\s*:\s*(?P<left>[^)]*)\)"
)
_SYMBOL = {"×": "*", "x": "*", "X": "*", "÷": "/", "−": "-"}


class InvalidStep(ValueError):
    """A step that breaks the rules; `reason` says how, in words a person can check."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def show(value: Fraction) -> str:
    """An exact number as a person writes it: 4, -1, 5/3."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _shown_all(values: list[Fraction]) -> str:
    return " ".join(show(v) for v in sorted(values)) or "nothing"


def _bare(text: str) -> str:
    return text.strip().strip("()").strip()


def _parse_number(text: str) -> Fraction:
    value = _number(_bare(text))
    if value is None:
        raise InvalidStep(f"{_bare(text)!r} is not a number")
    return value


def renders(text: str, exact: Fraction) -> bool:
    """Whether the model's written number stands for `exact`.

    Equal, or a decimal of two or more places that is `exact` rounded or truncated to those
    places (10 / 6 written 1.67 or 1.666): a repeating decimal cannot be written otherwise.
    The search carries the exact value on, so a rounding never compounds.
    """
    bare = _bare(text)
    written = _number(bare)
    if written is None:
        return False
    if written == exact:
        return True
    places = len(bare.split(".", 1)[1]) if "." in bare else 0
    if places < 2:
        return False
    scale = 10**places
    scaled = exact * scale
    roundings = {round(scaled), math.floor(scaled + Fraction(1, 2)), int(scaled)}  # half-even, half-up, truncated
    return written in {Fraction(r, scale) for r in roundings}


def _take(pool: list[Fraction], text: str) -> Fraction | None:
    """Remove and return the pool number `text` stands for (an exact match first), else None."""
    exact = _number(_bare(text))
    for matches in (lambda v: v == exact, lambda v: renders(text, v)):
        for i, value in enumerate(pool):
            if matches(value):
                return pool.pop(i)
    return None


def check_step(numbers: list[Fraction], line: str) -> list[Fraction]:
    """The exact numbers left after one step, or InvalidStep saying what is wrong.

    Three rules: both operands are among `numbers` (as a multiset), the stated result is the
    exact result, and 'left:' lists exactly the unused numbers plus the result.
    """
    match = _CHECKED_STEP.match(line)
    if match is None:
        raise InvalidStep("not a step of the form 'a op b = c (left: ...)'")
    pool = list(numbers)
    operands: list[Fraction] = []
    for key in ("a", "b"):
        text = match.group(key)
        _parse_number(text)
        taken = _take(pool, text)
        if taken is None:
            twice = any(renders(text, v) for v in numbers)
            where = "used twice but left only once" if twice else "not among the numbers left"
            raise InvalidStep(f"{_bare(text)} is {where} ({_shown_all(numbers)})")
        operands.append(taken)
    a, b = operands
    op = _SYMBOL.get(match.group("op"), match.group("op"))
    if op == "/" and b == 0:
        raise InvalidStep("division by zero")
    exact = {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else a}[op]
    stated = _bare(match.group("c"))
    _parse_number(stated)
    if not renders(stated, exact):
        raise InvalidStep(f"{show(a)} {op} {show(b)} = {show(exact)}, not {stated}")
    expected = [*pool, exact]
    written = [t for t in re.split(r"[\s,]+", match.group("left")) if t]
    for token in written:
        _parse_number(token)
    leftover = list(expected)
    unmatched = [t for t in written if _take(leftover, t) is None]
    if unmatched or leftover:
        raise InvalidStep(f"the numbers left are {_shown_all(expected)}, not {' '.join(written) or 'nothing'}")
    return expected


def numbers_after(puzzle: str, state: str) -> list[Fraction]:
    """Replay every step of `state` from the puzzle exactly; InvalidStep at the first bad one."""
    numbers = [Fraction(int(n)) for n in puzzle.split()]
    for line in state.strip().split("\n"):
        if line.strip() and not line.strip().lower().startswith("answer"):
            numbers = check_step(numbers, line)
    return numbers


def answer_problem(answer: str, puzzle: str) -> str | None:
    """Why an 'Answer: ... = 24' line is wrong, or None when it verifies exactly."""
    expression = _clean(answer)
    try:
        value, used = evaluate_expression(answer)
    except ValueError:
        return f"{expression!r} is not an arithmetic expression of whole numbers"
    wanted = sorted(int(n) for n in puzzle.split())
    if sorted(used) != wanted:
        return f"{expression} uses {' '.join(map(str, sorted(used)))}, not {' '.join(map(str, wanted))}"
    if value != 24:
        return f"{expression} = {show(value)}, not 24"
    return None


__all__ = [
    "InvalidStep",
    "answer_problem",
    "check_step",
    "evaluate_expression",
    "expression_from_steps",
    "get_current_numbers",
    "numbers_after",
    "renders",
    "show",
    "verify_24",
]
