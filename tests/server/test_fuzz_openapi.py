"""Property-based fuzzing of the OpenAPI schema (schemathesis): no generated request, valid or
invalid for the schema, and no undecodable body, gets a response >= 500. A CI-sized pass
(a few hundred cases); bench/fuzz.py runs the same `fuzz` at a larger size."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import httpx

from .helpers import running_server

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_fuzz", ROOT / "bench" / "fuzz.py")
assert _spec is not None and _spec.loader is not None
bench_fuzz = importlib.util.module_from_spec(_spec)
sys.modules["bench_fuzz"] = bench_fuzz  # its dataclasses look their module up
_spec.loader.exec_module(bench_fuzz)


def test_no_server_errors_across_the_schema(tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(bench_fuzz.RULES))
    env = {"THINKROOM_BACKEND": "scripted", "THINKROOM_SCRIPTED_RULES": str(rules), "THINKROOM_MAX_WORKERS": "8"}
    with running_server(tmp_path, **env) as url:
        report = bench_fuzz.fuzz(url, per_operation=4, seed=11)
    assert report.cases >= 200, report.cases
    assert report.server_errors == 0, json.dumps(report.errors, indent=1)[:3000]
    assert not report.transport_errors, report.transport_errors[:5]
    assert {s for s in report.statuses if 400 <= s < 500}, "invalid cases were generated and refused"


def test_fuzzer_findings_stay_fixed(tmp_path: Path) -> None:
    """The 5xx the fuzzer found, replayed exactly: each is now a 4xx in the standard shape."""
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(bench_fuzz.RULES))
    with running_server(tmp_path, THINKROOM_BACKEND="scripted", THINKROOM_SCRIPTED_RULES=str(rules)) as url:
        with httpx.Client(base_url=url) as http:
            huge_offset = http.post("/threads/search", content=b'{"offset": 61031046617860189192192}',
                                    headers={"content-type": "application/json"})
            thread = http.post("/threads", json={}).json()["thread_id"]
            huge_int = http.patch(f"/threads/{thread}", content=b'{"metadata": {"n": 158763649000000000000000}}',
                                  headers={"content-type": "application/json"})
            not_utf8 = http.post("/v1/chat/completions", content=b'{"a": "\xc3\x28"}',
                                 headers={"content-type": "application/json"})
    assert huge_offset.status_code == 422 and "offset" in huge_offset.json()["error"]["message"]
    assert huge_int.status_code == 422 and "64-bit" in huge_int.json()["error"]["message"]
    assert not_utf8.status_code == 400 and not_utf8.json()["error"]["message"]
