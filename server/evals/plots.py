"""An evaluation's plots as PNG or SVG bytes: accuracy against tokens per column, and pass@k curves.

Pure functions of an EvalResult. matplotlib is imported on the first plot (Agg, no display,
and Figure objects rather than pyplot's global state, so plots can be drawn on worker
threads), never when the server starts. SVGs carry no date and a fixed id salt, so one
result always draws the same bytes.

Bradley–Terry ratings need pairwise judgements (which of two answers is better); an
EvalResult holds per-item verdicts only, so `ratings` is refused with NoPlot until the
eval workflow records pairwise data.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from tools.evals.stats import mean_pass_at_k
from workflows.evals.schema import EvalResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PlotKind = Literal["tokens", "passk", "ratings"]
PlotFormat = Literal["png", "svg"]
KINDS: tuple[str, ...] = ("tokens", "passk", "ratings")
FORMATS: tuple[str, ...] = ("png", "svg")
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
#: Spread of mean tokens (largest / smallest) above which the x axis turns logarithmic.
LOG_SPREAD = 20.0


class NoPlot(LookupError):
    """This eval has nothing to draw for that kind (answered 404, or one line from the CLI)."""


@dataclass(frozen=True)
class TokenPoint:
    column: str
    tokens: float  # mean prompt + completion tokens per item
    accuracy: float
    low: float
    high: float
    items: int


def token_points(result: EvalResult) -> list[TokenPoint]:
    """One point per column that answered at least one item."""
    points = []
    for c in result.columns:
        if c.items:
            tokens = (c.prompt_tokens + c.completion_tokens) / c.items
            points.append(TokenPoint(c.id, tokens, c.accuracy, c.wilson95.low, c.wilson95.high, c.items))
    return points


def passk_curves(result: EvalResult) -> dict[str, list[tuple[int, float]]]:
    """Per code column, pass@k for k = 1..n (n: the fewest samples any of its items ran)."""
    curves: dict[str, list[tuple[int, float]]] = {}
    for c in result.columns:
        outputs = [i.outputs[c.id] for i in result.items if c.id in i.outputs]
        counts = [(o.n, o.c) for o in outputs if o.n is not None and o.c is not None]
        if not counts or len(counts) != len(outputs):
            continue
        most = min(n for n, _ in counts)
        curve = [(k, value) for k in range(1, most + 1) if (value := mean_pass_at_k(counts, k)) is not None]
        if curve:
            curves[c.id] = curve
    return curves


def _figure() -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(7.5, 4.8), dpi=110, layout="constrained")


def tokens_figure(result: EvalResult) -> Figure:
    points = token_points(result)
    if not points:
        raise NoPlot("no item has finished yet, so there is no accuracy to plot")
    fig = _figure()
    ax = fig.add_subplot()
    for point in points:
        ax.errorbar(
            point.tokens, point.accuracy, yerr=[[point.accuracy - point.low], [point.high - point.accuracy]],
            fmt="o", capsize=4, markersize=7, label=point.column,
        )
    used = [p.tokens for p in points if p.tokens > 0]
    if len(used) == len(points) and max(used) / min(used) > LOG_SPREAD:
        ax.set_xscale("log")
    else:
        ax.set_xlim(left=0, right=max(max(p.tokens for p in points) * 1.15, 1.0))
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("mean tokens per item (prompt + completion)")
    ax.set_ylabel("accuracy (95% Wilson interval)")
    items = max(p.items for p in points)
    ax.set_title(f"{result.spec.suite}: accuracy against tokens ({items} items)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return fig


def passk_figure(result: EvalResult) -> Figure:
    curves = passk_curves(result)
    if not curves:
        raise NoPlot(f"pass@k curves are for code suites; no column of this {result.spec.suite} eval ran code samples")
    fig = _figure()
    ax = fig.add_subplot()
    for column, curve in curves.items():
        ks, values = zip(*curve, strict=True)
        ax.plot(ks, values, marker="o", markersize=4, label=column)
    most = max(len(curve) for curve in curves.values())
    if most > 20:
        ax.set_xscale("log")
    else:
        ax.set_xticks(range(1, most + 1))
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("k (samples allowed per problem)")
    ax.set_ylabel("pass@k (unbiased estimator)")
    problems = max(c.items for c in result.columns)
    ax.set_title(f"{result.spec.suite}: pass@k over {problems} problems")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def figure(result: EvalResult, kind: str) -> Figure:
    if kind == "tokens":
        return tokens_figure(result)
    if kind == "passk":
        return passk_figure(result)
    if kind == "ratings":
        raise NoPlot(
            "this eval has no pairwise judgements: Bradley–Terry ratings need a pairwise model or agent arena, "
            "which the eval workflow does not record; plot kind tokens or passk instead"
        )
    raise ValueError(f"unknown plot kind {kind!r}; choose one of {', '.join(KINDS)}")


def render(result: EvalResult, kind: str, fmt: str) -> bytes:
    """The plot as PNG or SVG bytes; NoPlot when this eval has nothing of that kind to draw."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown plot format {fmt!r}; choose png or svg")
    fig = figure(result, kind)
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "thinkroom", "svg.fonttype": "none"}):
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


__all__ = [
    "FORMATS", "KINDS", "MEDIA_TYPES", "NoPlot", "PlotFormat", "PlotKind", "TokenPoint", "figure", "passk_curves",
    "render", "token_points",
]
