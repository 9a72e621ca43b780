"""Shared numeric helpers and input types, so every concept validates and rounds the same way."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

BOUND = 1e6


def _reject_bool_and_str(value: Any) -> Any:
    """Pydantic's lax mode turns True into 1.0 and "2" into 2.0; a lab input that does that is a typo."""
    if isinstance(value, (bool, str)):
        raise ValueError("expected a number, not a bool or string")
    return value


Real = Annotated[
    float,
    BeforeValidator(_reject_bool_and_str),
    Field(allow_inf_nan=False, ge=-BOUND, le=BOUND),
]
"""A finite, bounded float: keeps exp/cubes from overflowing and outputs JSON-safe."""

Prob = Annotated[float, BeforeValidator(_reject_bool_and_str), Field(ge=0.0, le=1.0)]
Count = Annotated[int, BeforeValidator(_reject_bool_and_str)]


class ConceptInput(BaseModel):
    """Base for every concept's input: unknown fields are an error, so typos surface."""

    model_config = ConfigDict(extra="forbid")


def require_rectangular(name: str, rows: Sequence[Sequence[float]]) -> int:
    """Return the row width, raising a ValueError that names the field if rows differ."""
    if not rows:
        raise ValueError(f"{name} must have at least one row")
    width = len(rows[0])
    if width == 0:
        raise ValueError(f"{name} rows must be non-empty")
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"{name} row {i} has length {len(row)}, expected {width}")
    return width


def sigmoid(z: float) -> float:
    """Logistic function computed without overflow for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax: subtracting the max changes nothing mathematically but avoids overflow.

    Entries equal to -inf (masked) get exactly 0 weight.
    """
    m = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - m)
    return np.asarray(e / np.sum(e, axis=axis, keepdims=True))


def floats(values: Iterable[Any]) -> list[float]:
    """Plain Python floats (JSON-able, no numpy scalars)."""
    return [float(v) for v in values]


def matrix(values: np.ndarray) -> list[list[float]]:
    """A 2-D array as nested plain floats."""
    return [[float(v) for v in row] for row in np.asarray(values)]


def sort_key_prob(token: str, prob: float) -> tuple[float, str]:
    """Highest probability first; equal probabilities (to 12 significant digits) broken alphabetically."""
    return (-float(f"{prob:.12g}"), token)
