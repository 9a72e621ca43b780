"""A brute-force Game of 24 solver: the reference answers that show the exact verifier and harness are right.

Every way of combining two remaining numbers with + - * / is tried on exact Fractions
(so 8 / (3 - 8 / 3) is found), which is at most 4·3/2·6 · 3·2/2·6 · 6 = 3,888 leaves per puzzle.
"""

from __future__ import annotations

from fractions import Fraction

Term = tuple[Fraction, str]


def _combine(a: Term, b: Term) -> list[Term]:
    (va, ea), (vb, eb) = a, b
    out = [(va + vb, f"({ea} + {eb})"), (va * vb, f"({ea} * {eb})"), (va - vb, f"({ea} - {eb})")]
    out.append((vb - va, f"({eb} - {ea})"))
    if vb != 0:
        out.append((va / vb, f"({ea} / {eb})"))
    if va != 0:
        out.append((vb / va, f"({eb} / {ea})"))
    return out


def _search(terms: list[Term], target: Fraction) -> str | None:
    if len(terms) == 1:
        return terms[0][1] if terms[0][0] == target else None
    for i in range(len(terms)):
        for j in range(i + 1, len(terms)):
            rest = [t for k, t in enumerate(terms) if k not in (i, j)]
            for term in _combine(terms[i], terms[j]):
                found = _search([*rest, term], target)
                if found is not None:
                    return found
    return None


def solve_24(puzzle: str, target: int = 24) -> str | None:
    """An expression using each of the puzzle's numbers once that equals `target`, or None if there is none."""
    try:
        numbers = [int(n) for n in puzzle.split()]
    except ValueError:
        raise ValueError(f"a puzzle is whole numbers separated by spaces, got {puzzle!r}") from None
    if not numbers:
        raise ValueError("a puzzle needs at least one number")
    found = _search([(Fraction(n), str(n)) for n in numbers], Fraction(target))
    if found is None:
        return None
    return found[1:-1] if len(numbers) > 1 else found


__all__ = ["solve_24"]
