"""Game of 24 arithmetic: the repo's 'left:' parsing, an exact verifier, and step replay.

The verifier never trusts the model: it parses the expression with `ast`, allows only
+ - * / on whole-number literals, evaluates on Fractions (so 8 / 3 * 3 is exactly 8) and
requires the literals to be exactly the puzzle's multiset of numbers.
"""

from __future__ import annotations

import ast
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

    Operands are matched to the remaining numbers by value (within 1%, since models write
    0.666 for 2/3); the model's own '= c' is ignored. None unless exactly one number, 24, remains.
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
            index = next(
                (i for i, (v, _) in enumerate(pool) if v == target or abs(v - target) <= abs(v) / 100),
                None,
            )
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


__all__ = ["evaluate_expression", "expression_from_steps", "get_current_numbers", "verify_24"]
