"""The arena's Bradley–Terry ratings as PNG or SVG: each contestant's Elo-scale rating with its 95% interval.

One row per contestant, one marker per source of outcomes (the judge, people, both; the legend
counts each source's outcomes), so a person can see whether their votes agree with the
evaluator's. Drawn like the eval plots
(server.evals.plots): matplotlib on first use, Agg, Figure objects (thread-safe), and SVGs
without a date and with a fixed id salt, so one result always draws the same bytes.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from workflows.arena.schema import RatingsView

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS: tuple[str, ...] = ("png", "svg")
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
MARKERS = {"judge": "o", "human": "s", "combined": "D"}
LABELS = {"judge": "judge (verifier + evaluator)", "human": "people's votes", "combined": "judge + people"}


class NoPlot(LookupError):
    """Nothing to draw: no source has an outcome yet."""


def ratings_figure(title: str, views: list[RatingsView]) -> Figure:
    drawn = [v for v in views if v.outcomes]
    if not drawn:
        raise NoPlot("no pair has been judged or voted on yet, so there is no rating to plot")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    order = [r.contestant for r in drawn[0].ratings][::-1]  # the best at the top
    fig = Figure(figsize=(7.5, 1.6 + 0.55 * len(order) * max(1, len(drawn)) ** 0.5), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    step = 0.6 / max(len(drawn), 1)
    for k, view in enumerate(drawn):
        by_name = {r.contestant: r for r in view.ratings}
        offset = (k - (len(drawn) - 1) / 2) * step
        for y, name in enumerate(order):
            r = by_name[name]
            low = r.elo if r.low is None else r.low
            high = r.elo if r.high is None else r.high
            ax.errorbar(r.elo, y + offset, xerr=[[r.elo - low], [high - r.elo]], fmt=MARKERS[view.source],
                        capsize=4, markersize=7, color=f"C{k}",
                        label=f"{LABELS[view.source]} ({view.outcomes})" if y == 0 else None)
    ax.axvline(1000.0, color="0.6", linewidth=0.8, linestyle=":")
    ax.set_yticks(range(len(order)), order)
    ax.set_ylim(-0.7, len(order) - 0.3)
    ax.set_xlabel("Bradley-Terry rating, Elo scale (95% bootstrap interval)")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return fig


def render(title: str, views: list[RatingsView], fmt: str) -> bytes:
    """The plot as PNG or SVG bytes; NoPlot when no source has an outcome."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown plot format {fmt!r}; choose png or svg")
    fig = ratings_figure(title, views)
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "thinkroom", "svg.fonttype": "none"}):
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


__all__ = ["FORMATS", "MEDIA_TYPES", "NoPlot", "ratings_figure", "render"]
