"""The arena's statistics: Wilson intervals, the exact McNemar test, pass@k averaged over problems.

Benchmarks of a hundred items give noisy accuracies, so every accuracy is reported with
an interval, and two strategies answering the same items are compared with a paired test
(McNemar) rather than by their accuracies alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from tools.concepts.evaluation import pass_at_k

#: The two-sided 95% normal quantile.
Z95 = 1.959963984540054


def wilson_interval(correct: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion (Wilson 1927); (0, 1) when there is nothing to estimate.

    Unlike the normal approximation it stays inside [0, 1] and is not degenerate at 0 or n.
    """
    if n < 0 or not 0 <= correct <= max(n, 0):
        raise ValueError(f"need 0 <= correct <= n, got correct={correct}, n={n}")
    if n == 0:
        return 0.0, 1.0
    p = correct / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low = 0.0 if correct == 0 else max(0.0, centre - half)  # exact at the edges (no 0.9999999999999999)
    high = 1.0 if correct == n else min(1.0, centre + half)
    return low, high


def mcnemar_exact(a_only: int, b_only: int) -> float:
    """Two-sided exact McNemar p-value: a binomial test (p = 1/2) on the discordant pairs.

    `a_only` items were right only under A, `b_only` only under B; items both got right (or
    wrong) say nothing about which is better. p = min(1, 2 * P[X <= min(a_only, b_only)]),
    X ~ Binomial(a_only + b_only, 1/2); with no discordant pair there is no evidence (p = 1).
    """
    if a_only < 0 or b_only < 0:
        raise ValueError("discordant counts must be >= 0")
    total = a_only + b_only
    if total == 0:
        return 1.0
    tail = sum(math.comb(total, i) for i in range(min(a_only, b_only) + 1))
    return min(1.0, 2 * tail / 2**total)


def discordant(a: Sequence[bool], b: Sequence[bool]) -> tuple[int, int]:
    """(items only A got right, items only B got right) over paired verdicts."""
    if len(a) != len(b):
        raise ValueError(f"paired verdicts differ in length: {len(a)} and {len(b)}")
    return sum(x and not y for x, y in zip(a, b, strict=True)), sum(y and not x for x, y in zip(a, b, strict=True))


def mean_pass_at_k(counts: Sequence[tuple[int, int]], k: int) -> float | None:
    """The benchmark's pass@k: the unbiased per-problem estimate (n samples, c passed) averaged.

    None when a problem has fewer than k samples (the estimator is undefined there).
    """
    if not counts or any(n < k for n, _ in counts):
        return None
    return sum(pass_at_k(n, c, k) for n, c in counts) / len(counts)


def accuracy_per_1k_tokens(accuracy: float, tokens: int, items: int) -> float | None:
    """Accuracy divided by the mean tokens per item in thousands: what a thousand tokens buy."""
    if items <= 0 or tokens <= 0:
        return None
    return accuracy / (tokens / items / 1000)


__all__ = [
    "Z95",
    "accuracy_per_1k_tokens",
    "discordant",
    "mcnemar_exact",
    "mean_pass_at_k",
    "pass_at_k",
    "wilson_interval",
]
