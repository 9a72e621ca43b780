"""server.evals.plots: what each plot is drawn from, the PNG/SVG bytes, and matplotlib staying out of start-up."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from server.evals import plots
from workflows.evals.schema import EvalResult, EvalSpec

from .eval_results import MODEL, arena, code_eval

SVG = "{http://www.w3.org/2000/svg}"


def test_token_points_are_mean_tokens_per_item_against_accuracy() -> None:
    result = arena({"direct": [True, False, False, True], "cot": [True, True, False, True]},
                   tokens={"direct": (100, 20), "cot": (150, 300)})
    points = {p.column: p for p in plots.token_points(result)}
    direct, cot = points[f"direct@{MODEL}"], points[f"cot@{MODEL}"]
    assert (direct.tokens, direct.accuracy, direct.items) == (120.0, 0.5, 4)
    assert (cot.tokens, cot.accuracy) == (450.0, 0.75)
    assert (cot.low, cot.high) == (result.columns[1].wilson95.low, result.columns[1].wilson95.high)


def test_passk_curves_use_the_unbiased_estimator_up_to_n() -> None:
    result = code_eval({"reference": [(5, 5)] * 3, "direct": [(5, 1), (5, 0), (5, 3)]})
    curves = plots.passk_curves(result)
    assert curves["reference"] == [(k, 1.0) for k in range(1, 6)]
    direct = dict(curves[f"direct@{MODEL}"])
    assert list(direct) == [1, 2, 3, 4, 5]
    assert direct[1] == pytest.approx((1 / 5 + 0 + 3 / 5) / 3)
    assert direct[2] == pytest.approx((1 - 6 / 10 + 0 + 1 - 1 / 10) / 3)  # 1 - C(n-c,k)/C(n,k) per problem
    assert direct[5] == pytest.approx(2 / 3)
    assert plots.passk_curves(arena({"direct": [True]})) == {}


def test_png_and_svg_bytes() -> None:
    result = arena({"direct": [True, False], "cot": [True, True]})
    png = plots.render(result, "tokens", "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = plots.render(result, "tokens", "svg")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert f"cot@{MODEL}" in texts and "accuracy against tokens (2 items)" in texts
    assert plots.render(result, "tokens", "svg") == svg  # no date, fixed ids: same result, same bytes
    passk = ET.fromstring(plots.render(code_eval({"direct": [(3, 1), (3, 2)]}), "passk", "svg"))
    assert "pass@k over 2 problems" in " ".join("".join(t.itertext()) for t in passk.iter(f"{SVG}text"))


def test_a_wide_token_spread_gets_a_log_axis() -> None:
    narrow = arena({"direct": [True], "cot": [False]}, tokens={"direct": (100, 20), "cot": (150, 300)})
    wide = arena({"direct": [True], "tot": [False]}, tokens={"direct": (50, 10), "tot": (9000, 3000)})
    assert plots.tokens_figure(narrow).axes[0].get_xscale() == "linear"
    assert plots.tokens_figure(wide).axes[0].get_xscale() == "log"


def test_what_cannot_be_drawn_says_why() -> None:
    gsm8k = arena({"direct": [True, False]})
    with pytest.raises(plots.NoPlot, match="code suites"):
        plots.render(gsm8k, "passk", "png")
    with pytest.raises(plots.NoPlot, match="no pairwise judgements"):
        plots.render(gsm8k, "ratings", "svg")
    empty = EvalResult(spec=EvalSpec(suite="gsm8k", reference=True), thinkroom_version="0.1.0")
    with pytest.raises(plots.NoPlot, match="no item has finished"):
        plots.render(empty, "tokens", "png")
    with pytest.raises(ValueError, match="unknown plot kind"):
        plots.render(gsm8k, "pie", "png")
    with pytest.raises(ValueError, match="png or svg"):
        plots.render(gsm8k, "tokens", "pdf")


def test_the_server_and_the_evals_api_import_no_matplotlib() -> None:
    code = (
        "import sys, server.app, server.routes.evals, server.cli.main; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
