"""Property-based fuzzing of the whole OpenAPI schema with schemathesis: no request may get a 5xx.

A `thinkroom serve` on the scripted backend (deterministic, no model) answers cases that
schemathesis generates from /openapi.json, every operation, both schema-valid (positive) and
schema-violating (negative) inputs, plus raw bodies that are not JSON or not UTF-8 (what a
fuzzer found answering 500). Any response >= 500 is recorded with the request that caused it.
The test suite runs the same `fuzz` at a small size (tests/server/test_fuzz_openapi.py).

Usage: .venv/bin/python bench/fuzz.py [--per-operation 60] [--seed 1]. Writes bench/results/fuzz.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Err

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "fuzz.json"
RULES = [{"pattern": ".*", "response": "Attention weighs every token against every other token."}]
RAW_BODIES: list[tuple[str, bytes]] = [
    ("application/json", b"\xff\xfe\x00not utf-8"), ("application/json", b"{\"model\": "),
    ("application/json", b"[]"), ("application/json", b"null"), ("text/plain", b"hello"),
    ("application/json", b"{\"a\": \"\xc3\x28\"}"), ("application/json", b"1e999999"),
]


@dataclass
class Report:
    """Counts per status code and the requests that got a 5xx (first few per operation)."""

    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)
    transport_errors: list[dict[str, Any]] = field(default_factory=list)

    def record(self, label: str, status: int, request: dict[str, Any], body: str) -> None:
        self.cases += 1
        self.statuses[status] += 1
        if status >= 500 and sum(e["operation"] == label for e in self.errors) < 3:
            self.errors.append({"operation": label, "status": status, "request": request, "response": body[:500]})

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 500)


def _describe(case: Any) -> dict[str, Any]:
    return {"method": case.method, "path": case.formatted_path, "query": case.query, "body": repr(case.body)[:400]}


def fuzz(base_url: str, per_operation: int, seed: int = 1, modes: tuple[GenerationMode, ...] = tuple(GenerationMode),
         skip: tuple[str, ...] = ()) -> Report:
    """Generate `per_operation` cases per operation and mode against `base_url`, recording every status."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    report = Report()
    with httpx.Client(base_url=base_url, timeout=60) as http:
        for result in schema.get_all_operations():
            if isinstance(result, Err):  # an operation schemathesis cannot read is a schema bug: say so
                raise result.err()
            operation = result.ok()
            label = f"{operation.method.upper()} {operation.path}"
            if any(s in label for s in skip):
                continue
            for mode in modes:
                @given(case=operation.as_strategy(generation_mode=mode))
                @settings(max_examples=per_operation, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck), phases=[Phase.generate])
                def one(case: Any) -> None:
                    label = f"{case.method.upper()} {case.path}"
                    try:
                        response = case.call(base_url=base_url, timeout=60)
                    except Exception as exc:  # noqa: BLE001 - a dropped connection is a finding too
                        report.transport_errors.append({"operation": label, "error": repr(exc)[:300]})
                        return
                    report.record(label, response.status_code, _describe(case), response.text)

                try:
                    hypothesis_seed(seed)(one)()
                except Unsatisfiable:  # nothing to violate (no parameters or body): negative mode is empty
                    continue
            if operation.method.upper() in ("POST", "PUT", "PATCH") and "{" not in operation.path:
                for content_type, raw in RAW_BODIES:
                    response = http.request(operation.method.upper(), operation.path, content=raw,
                                            headers={"content-type": content_type})
                    report.record(label, response.status_code, {"raw": repr(raw)}, response.text)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-operation", type=int, default=60, help="cases per operation and generation mode")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.server.helpers import running_server

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        rules = directory / "rules.json"
        rules.write_text(json.dumps(RULES))
        env = {"THINKROOM_BACKEND": "scripted", "THINKROOM_SCRIPTED_RULES": str(rules), "THINKROOM_MAX_WORKERS": "8"}
        started = time.perf_counter()
        with running_server(directory, 60, **env) as url:
            report = fuzz(url, args.per_operation, args.seed)
        elapsed = time.perf_counter() - started
    out = {
        "tool": f"schemathesis {schemathesis.__version__}", "per_operation_and_mode": args.per_operation,
        "modes": [m.value for m in GenerationMode], "cases": report.cases, "server_errors": report.server_errors,
        "statuses": {str(k): v for k, v in sorted(report.statuses.items())}, "errors": report.errors,
        "transport_errors": report.transport_errors[:20], "seconds": round(elapsed, 1),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(f"{report.cases} cases, {report.server_errors} responses >= 500, {len(report.transport_errors)} transport "
          f"errors in {elapsed:.0f}s -> {RESULTS.relative_to(ROOT)}")
    return 0 if report.server_errors == 0 and not report.transport_errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
