"""Ask the tutor (and the plain model) checkable course questions through `/v1` of a running server.

Each question in bench/data/tutor_questions.jsonl comes with what its answer must state:
numbers (to 0.2%), phrases, alternatives, words that must not appear. A reply is right when
its first paragraph (the direct answer a learner reads first) states them and no part of it
echoes prompt scaffolding. Reports accuracy and latency per question and per model.

Usage:
  .venv/bin/python bench/tutor.py --serve            # start `thinkroom serve` (embedded model) and ask it
  .venv/bin/python bench/tutor.py --url http://127.0.0.1:8000 [--models tutor chat] [--limit N]
Writes bench/results/tutor.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from tools.grounding.replies import check_reply, direct_answer

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "bench" / "data" / "tutor_questions.jsonl"
#: Written after the pipeline was built, never tuned on: a check that the main set is not overfitted.
HELD_OUT = ROOT / "bench" / "data" / "tutor_heldout.jsonl"
RESULTS = ROOT / "bench" / "results" / "tutor.json"
THINKROOM = Path(sys.executable).with_name("thinkroom")


def load_questions(limit: int | None = None) -> list[dict[str, Any]]:
    items = []
    for path, name in ((QUESTIONS, "main"), (HELD_OUT, "held-out")):
        items += [{**json.loads(line), "set": name} for line in path.read_text().splitlines() if line.strip()]
    return items[:limit] if limit else items


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def served(backend: str) -> Iterator[str]:
    """A `thinkroom serve` subprocess on a free port, ready when /health says so."""
    port = free_port()
    env = {
        **os.environ,
        "THINKROOM_BACKEND": backend,
        "THINKROOM_DATABASE_URL": f"sqlite:///{ROOT}/bench/.tutor-bench.db",
    }
    proc = subprocess.Popen(
        [str(THINKROOM), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=2).json().get("ready"):
                    break
            time.sleep(0.5)
        else:
            raise RuntimeError("thinkroom serve did not become ready")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        with contextlib.suppress(FileNotFoundError):
            (ROOT / "bench" / ".tutor-bench.db").unlink()


def ask(client: httpx.Client, model: str, question: str) -> tuple[str, float, str | None]:
    """(reply text, seconds, error) for one question."""
    started = time.perf_counter()
    try:
        response = client.post(
            "/v1/chat/completions",
            json={"model": model, "messages": [{"role": "user", "content": question}], "temperature": 0, "seed": 0},
        )
    except httpx.HTTPError as exc:
        return "", time.perf_counter() - started, f"{type(exc).__name__}: {exc}"
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        return "", elapsed, f"HTTP {response.status_code}: {response.text[:200]}"
    return str(response.json()["choices"][0]["message"]["content"] or ""), elapsed, None


def run(url: str, models: list[str], questions: list[dict[str, Any]], api_key: str | None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    report: dict[str, Any] = {"url": url, "questions": len(questions), "models": {}}
    with httpx.Client(base_url=url, timeout=600, headers=headers) as client:
        backend = client.get("/health").json()
        report["backend"] = {k: backend.get(k) for k in ("backend", "model")}
        for model in models:
            rows = []
            for item in questions:
                text, seconds, error = ask(client, model, item["question"])
                right, why = (False, error) if error else check_reply(text, item["expect"])
                rows.append(
                    {
                        "id": item["id"],
                        "kind": item["kind"],
                        "set": item["set"],
                        "right": right,
                        "why": why,
                        "seconds": round(seconds, 2),
                        "direct_answer": direct_answer(text)[:400],
                    }
                )
                mark = "ok  " if right else "FAIL"
                print(f"{model:>8} {mark} {seconds:6.1f}s {item['id']:<26} {why or ''}", flush=True)
            times = [r["seconds"] for r in rows]
            correct = sum(r["right"] for r in rows)
            report["models"][model] = {
                "accuracy": round(correct / len(rows), 4),
                "right": correct,
                "asked": len(rows),
                "scaffolding_replies": sum("scaffolding" in (r["why"] or "") for r in rows),
                "latency_s": {
                    "mean": round(statistics.fmean(times), 2),
                    "p50": round(statistics.median(times), 2),
                    "max": round(max(times), 2),
                },
                "by_set": {
                    name: f"{sum(r['right'] for r in rows if r['set'] == name)}/{sum(r['set'] == name for r in rows)}"
                    for name in ("main", "held-out")
                },
                "by_kind": {
                    kind: f"{sum(r['right'] for r in rows if r['kind'] == kind)}/{sum(r['kind'] == kind for r in rows)}"
                    for kind in sorted({r["kind"] for r in rows})
                },
                "items": rows,
            }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=None, help="a running server (default: start one with --serve)")
    parser.add_argument("--serve", action="store_true", help="start `thinkroom serve` for the run")
    parser.add_argument("--backend", default="embedded", help="backend for --serve (default embedded)")
    parser.add_argument("--models", nargs="+", default=["tutor", "chat"])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    questions = load_questions(args.limit)
    api_key = os.environ.get("THINKROOM_API_KEY")
    if args.url:
        report = run(args.url, args.models, questions, api_key)
    else:
        with served(args.backend) as url:
            report = run(url, args.models, questions, api_key)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    for model, summary in report["models"].items():
        print(
            f"{model}: {summary['right']}/{summary['asked']} right ({summary['accuracy']:.1%}), "
            f"scaffolding replies {summary['scaffolding_replies']}, latency mean {summary['latency_s']['mean']} s, "
            f"p50 {summary['latency_s']['p50']} s; by set {summary['by_set']}; by kind {summary['by_kind']}"
        )
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
