"""Agreement of the grounded evaluator with human labels, on the calibration set.

Runs `agents.grading.grade_answer` over agents/grading/data/calibration.jsonl on the active
backend (the embedded Gemma 3 270M here), with the model as judge for free text. Reports
agreement (a grade >= 7 on "correct" items, <= 4 or verdict incorrect on "incorrect" ones)
overall, per label and per method; how the judge alone would have agreed on the items it
scored; how often the concept is found without being told; and latency. Writes
bench/results/evaluator.json.

    .venv/bin/python bench/evaluator.py                 # embedded (or THINKROOM_BACKEND)
    .venv/bin/python bench/evaluator.py --no-judge      # checks only, no model
    .venv/bin/python bench/evaluator.py --always-judge  # also judge what the checks settle (judge diagnostics)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.grading import gateway_judge, grade_answer  # noqa: E402
from agents.grading.calibration import agrees, load_calibration  # noqa: E402
from agents.grading.reference import choose_concept  # noqa: E402
from agents.llm.factory import create_gateway  # noqa: E402
from agents.settings import Settings  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def share(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


async def run(use_judge: bool, always_judge: bool, dataset: str) -> dict[str, Any]:
    settings = Settings()
    gateway = await create_gateway(settings)
    judge = gateway_judge(gateway) if use_judge else None
    items = load_calibration(dataset)
    rows: list[dict[str, Any]] = []
    for item in items:
        started = time.perf_counter()
        result = await grade_answer(
            item.question, item.answer, judge=judge, concept=item.concept, always_judge=always_judge
        )
        elapsed = time.perf_counter() - started
        grade = result.grade
        judge_agrees = None
        if grade.judge_score is not None:
            judge_agrees = (grade.judge_score >= 7) if item.label == "correct" else (grade.judge_score <= 4)
        rows.append(
            {
                "question": item.question,
                "concept": item.concept,
                "answer": item.answer,
                "label": item.label,
                "score": grade.score,
                "verdict": grade.verdict,
                "method": grade.method,
                "agrees": agrees(item, grade),
                "judge_score": grade.judge_score,
                "judge_agrees": judge_agrees,
                "reasons": grade.reasons,
                "concept_found": choose_concept(item.question) == item.concept,
                "model_calls": len(result.usage),
                "seconds": round(elapsed, 3),
            }
        )
        mark = "ok " if rows[-1]["agrees"] else "XX "
        print(f"{mark}{item.label[:3]} {grade.score:4.1f} {grade.method:6} {item.answer[:70]}")
    await gateway.close()
    report = summarise(rows, gateway.backend_name, gateway.default_model, use_judge, always_judge)
    return {"dataset": dataset, **report}


def summarise(
    rows: list[dict[str, Any]], backend: str, model: str | None, use_judge: bool, always_judge: bool
) -> dict[str, Any]:
    by_method: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        by_method[row["method"]].append(row["agrees"])
    judged = [r for r in rows if r["judge_agrees"] is not None]
    with_model = [r["seconds"] for r in rows if r["model_calls"]]
    without_model = [r["seconds"] for r in rows if not r["model_calls"]]
    return {
        "backend": backend,
        "model": model,
        "judge": use_judge,
        "always_judge": always_judge,
        "items": len(rows),
        "agreement": share(sum(r["agrees"] for r in rows), len(rows)),
        "agreement_correct_items": share(
            sum(r["agrees"] for r in rows if r["label"] == "correct"), sum(r["label"] == "correct" for r in rows)
        ),
        "agreement_incorrect_items": share(
            sum(r["agrees"] for r in rows if r["label"] == "incorrect"), sum(r["label"] == "incorrect" for r in rows)
        ),
        "by_method": {m: {"items": len(v), "agreement": share(sum(v), len(v))} for m, v in sorted(by_method.items())},
        "judge_alone_on_judged_items": {
            "items": len(judged),
            "agreement": share(sum(bool(r["judge_agrees"]) for r in judged), len(judged)),
        },
        "concept_found_without_hint": share(sum(r["concept_found"] for r in rows), len(rows)),
        "model_calls": sum(r["model_calls"] for r in rows),
        "latency_s": {
            "total": round(sum(r["seconds"] for r in rows), 2),
            "median_with_judge": round(statistics.median(with_model), 3) if with_model else None,
            "median_checks_only": round(statistics.median(without_model), 4) if without_model else None,
        },
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "disagreements": [
            {k: r[k] for k in ("question", "answer", "label", "score", "method", "reasons")}
            for r in rows
            if not r["agrees"]
        ],
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-judge", action="store_true", help="checks only: no model calls")
    parser.add_argument(
        "--always-judge", action="store_true", help="ask the judge on all free text too (measures the judge alone)"
    )
    parser.add_argument("--set", dest="dataset", choices=["calibration", "holdout"], default="calibration")
    parser.add_argument("--out", type=Path, default=None, help="default bench/results/evaluator[_holdout].json")
    args = parser.parse_args()
    report = asyncio.run(run(use_judge=not args.no_judge, always_judge=args.always_judge, dataset=args.dataset))
    out = args.out or RESULTS / ("evaluator.json" if args.dataset == "calibration" else "evaluator_holdout.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    summary = {k: v for k, v in report.items() if k not in ("rows", "disagreements", "machine")}
    print(json.dumps(summary, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
