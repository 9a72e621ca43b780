"""HumanEval reference throughput through the bwrap sandbox: problems/s with 1 and with 2 workers.

Runs the `eval` workflow exactly as `thinkroom eval run humaneval --reference --workers N`
does (the workflow, its checkpointer, agents.evals.code's sandboxed samples), with the
dataset's canonical solutions as the only column, so no model is asked and the time is the
harness plus the sandbox. Every run must score pass@1 = 1.0 over the problems it ran, or the
figure is not recorded as valid. Wall time covers the whole run (graph, checkpoints, sandbox).

Usage: .venv/bin/python bench/eval.py [--limit N] [--repeats R] [--workers 1 2]
Writes bench/results/eval.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents import sandbox  # noqa: E402
from agents.llm.backends.scripted import ScriptedBackend  # noqa: E402
from agents.llm.gateway import Gateway  # noqa: E402
from workflows.checkpoint import open_checkpointer  # noqa: E402
from workflows.context import WorkflowContext  # noqa: E402
from workflows.registry import get_workflow  # noqa: E402
from workflows.runner import compile_workflow, run_workflow  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "eval.json"


async def reference_run(workers: int, limit: int | None, directory: Path) -> dict[str, Any]:
    """One `eval` run of HumanEval's canonical solutions; its wall time and what it scored."""
    graph_input: dict[str, Any] = {"suite": "humaneval", "reference": True, "workers": workers, "limit": limit}
    gateway = Gateway(ScriptedBackend([]))  # reference columns never call a model
    spec = get_workflow("eval")
    async with open_checkpointer(directory / f"checkpoints-{workers}-{time.monotonic_ns()}.db") as saver:
        graph = compile_workflow("eval", saver)
        config: Any = {"configurable": {"thread_id": f"bench-{workers}"}}
        started = time.perf_counter()
        report = await run_workflow(spec, graph, graph_input, config=config, context=WorkflowContext(gateway),
                                    on_part=lambda _mode, _chunk: None, stream_mode=["values"])
        seconds = time.perf_counter() - started
    await gateway.close()
    result = (report.values or {})["result"]
    (column,) = result["columns"]
    problems = len(result["items"])
    return {
        "problems": problems,
        "seconds": round(seconds, 3),
        "problems_per_s": round(problems / seconds, 2),
        "pass@1": column["pass_at_k"].get("pass@1"),
        "correct": column["correct"],
        "valid": column["correct"] == problems and column["pass_at_k"].get("pass@1") == 1.0,
    }


async def main(limit: int | None, repeats: int, worker_counts: list[int]) -> dict[str, Any]:
    if sandbox.find_bwrap() is None:
        raise SystemExit("bubblewrap (bwrap) is not installed: the HumanEval reference needs the sandbox")
    runs: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeats):  # interleaved, so a busy moment on the machine hits every worker count
            for workers in worker_counts:
                run = await reference_run(workers, limit, Path(tmp))
                runs.setdefault(str(workers), []).append(run)
                print(f"workers={workers}: {run['problems']} problems in {run['seconds']:.1f}s "
                      f"= {run['problems_per_s']:.1f}/s, pass@1={run['pass@1']}", flush=True)
    summary = {}
    for workers, measured in runs.items():
        rates = [r["problems_per_s"] for r in measured]
        summary[workers] = {
            "problems": measured[0]["problems"],
            "problems_per_s_median": round(statistics.median(rates), 2),
            "problems_per_s_best": max(rates),
            "all_valid": all(r["valid"] for r in measured),
        }
    base = summary[str(worker_counts[0])]["problems_per_s_median"]
    for entry in summary.values():
        entry["speedup_vs_first"] = round(entry["problems_per_s_median"] / base, 2) if base else None
    return {
        "meta": {
            "what": "thinkroom eval run humaneval --reference: the eval workflow, canonical solutions, bwrap sandbox",
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "bwrap": sandbox.find_bwrap(),
            "limit": limit,
            "repeats": repeats,
            "note": "wall time of whole runs; the machine's 2 cores may be shared with other work while measuring",
        },
        "workers": summary,
        "runs": runs,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="problems per run (default: all 164)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per worker count (the median is reported)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="sandbox worker counts to measure")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    report = asyncio.run(main(args.limit, args.repeats, args.workers))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["workers"], indent=2))
