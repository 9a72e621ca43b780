"""`/api/evals` over HTTP on the real app: evals are runs of the `eval` workflow, persisted with every item."""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.gateway import Gateway
from server.db import Database
from server.db.evals import EvalRepo
from server.evals.export import CSV_FIELDS

from .conftest import make_client

RULES = [
    {"pattern": "alpha", "response": "Answer: 4"},
    {"pattern": "SLOW", "response": "Answer: 4"},
    {"pattern": "gamma", "response": "Answer: 7"},
    {"pattern": ".", "response": "ok"},
]
ARITHMETIC = "\n".join(json.dumps(row) for row in [
    {"input": "alpha: 2 + 2?", "answer": "4"},
    {"input": "SLOW: 3 + 1?", "answer": "4"},
    {"input": "gamma: 5 + 5?", "answer": "10"},
])
WAIT_S = 120  # a bound so a broken run fails the test instead of hanging it; nothing asserts on time


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, ScriptedBackend, Path]]:
    directory = tmp_path_factory.mktemp("evals-api")
    backend = ScriptedBackend(RULES)
    with make_client(directory, Gateway(backend)) as client:
        yield client, backend, directory


@pytest.fixture
def client(setup: tuple[TestClient, ScriptedBackend, Path]) -> TestClient:
    return setup[0]


def create(client: TestClient, spec: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/evals", json=spec)
    assert response.status_code == 201, response.text
    return dict(response.json())


def finished(client: TestClient, created: dict[str, Any]) -> dict[str, Any]:
    """Join the eval's run (it is an ordinary run), then read the eval."""
    joined = client.get(f"/threads/{created['thread_id']}/runs/{created['run_id']}/join")
    assert joined.status_code == 200, joined.text
    response = client.get(f"/api/evals/{created['eval_id']}")
    assert response.status_code == 200
    return dict(response.json())


def wait_for(client: TestClient, eval_id: str, check: Any) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_S
    while True:
        body = client.get(f"/api/evals/{eval_id}").json()
        if check(body) or time.monotonic() > deadline:
            return dict(body)
        time.sleep(0.05)


def test_a_reference_eval_runs_to_100_percent_and_every_view_reads_it(client: TestClient) -> None:
    created = create(client, {"suite": "game24", "reference": True, "limit": 3})
    assert created["thread_id"] == created["eval_id"] and created["run_id"]
    assert created["links"]["stream"] == f"/threads/{created['thread_id']}/runs/{created['run_id']}/stream"
    body = finished(client, created)
    assert body["status"] == "success" and (body["items_done"], body["total_items"]) == (3, 3)
    (column,) = body["columns"]
    assert (column["id"], column["correct"], column["items"], column["accuracy"]) == ("reference", 3, 3, 1.0)
    assert body["thinkroom_version"] and body["spec"]["limit"] == 3

    listed = client.get("/api/evals", params={"suite": "game24"}).json()
    assert created["eval_id"] in [e["eval_id"] for e in listed["evals"]]
    assert all(e["suite"] == "game24" for e in listed["evals"]) and listed["total"] >= 1
    assert created["eval_id"] not in [e["eval_id"] for e in client.get("/api/evals?suite=gsm8k").json()["evals"]]

    page = client.get(f"/api/evals/{created['eval_id']}/items", params={"limit": 2}).json()
    assert page["total"] == 3 and [i["id"] for i in page["items"]] == ["game24/900", "game24/901"]
    rest = client.get(f"/api/evals/{created['eval_id']}/items", params={"limit": 2, "offset": 2}).json()
    assert [i["index"] for i in rest["items"]] == [902]
    assert client.get(f"/api/evals/{created['eval_id']}/items?wrong=true").json()["total"] == 0

    exported = client.get(f"/api/evals/{created['eval_id']}/export")
    document = json.loads(exported.text)
    assert document["eval"]["eval_id"] == created["eval_id"] and len(document["result"]["items"]) == 3
    assert all(i["outputs"]["reference"]["correct"] for i in document["result"]["items"])
    table = client.get(f"/api/evals/{created['eval_id']}/export", params={"format": "csv"})
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert tuple(rows[0]) == CSV_FIELDS and len(rows) == 3
    assert [(r["item_id"], r["column"], r["correct"]) for r in rows] == [
        ("game24/900", "reference", "1"), ("game24/901", "reference", "1"), ("game24/902", "reference", "1")]
    assert eval(rows[0]["output"].replace("^", "**")) == 24  # the stored expression is a real solution


def test_plots_are_png_and_svg_and_missing_kinds_are_404(client: TestClient) -> None:
    eval_id = finished(client, create(client, {"suite": "game24", "reference": True, "limit": 2}))["eval_id"]
    png = client.get(f"/api/evals/{eval_id}/plot.png", params={"kind": "tokens"})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = client.get(f"/api/evals/{eval_id}/plot.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert ET.fromstring(svg.content).tag == "{http://www.w3.org/2000/svg}svg"
    assert "accuracy against tokens" in svg.text
    passk = client.get(f"/api/evals/{eval_id}/plot.png", params={"kind": "passk"})
    assert passk.status_code == 404 and "code suites" in passk.json()["error"]["message"]
    ratings = client.get(f"/api/evals/{eval_id}/plot.svg", params={"kind": "ratings"})
    assert ratings.status_code == 404 and "pairwise" in ratings.json()["error"]["message"]
    assert client.get(f"/api/evals/{eval_id}/plot.pdf").status_code == 422
    assert client.get(f"/api/evals/{eval_id}/plot.png", params={"kind": "pie"}).status_code == 422


def test_a_strategy_eval_persists_outputs_and_compares_with_a_reference_eval(
    setup: tuple[TestClient, ScriptedBackend, Path],
) -> None:
    client, _, directory = setup
    spec = {"suite": "jsonl", "suite_text": ARITHMETIC, "strategies": ["direct"], "models": ["scripted"], "seed": 7}
    model_run = finished(client, create(client, spec))
    reference = finished(client, create(client, {"suite": "jsonl", "suite_text": ARITHMETIC, "reference": True}))
    (column,) = model_run["columns"]
    assert (column["id"], column["correct"], column["items"]) == ("direct@scripted", 2, 3)
    assert column["calls_per_item"] == 1 and column["prompt_tokens"] > 0
    assert model_run["models"] == [{"name": "scripted", "backend": "scripted", "digest": None}]

    stored = EvalRepo(Database(f"sqlite:///{directory}/thinkroom.db")).get(model_run["eval_id"])
    assert stored is not None and stored.result is not None and stored.status == "success"
    assert stored.result["spec"]["seed"] == 7 and stored.run_id == model_run["run_id"]
    outputs = [i["outputs"]["direct@scripted"] for i in stored.result["items"]]
    assert [(o["output"], o["correct"]) for o in outputs] == [("4", True), ("4", True), ("7", False)]

    wrong = client.get(f"/api/evals/{model_run['eval_id']}/items", params={"wrong": "true"}).json()
    assert wrong["total"] == 1 and wrong["items"][0]["input"] == "gamma: 5 + 5?"
    bad_column = client.get(f"/api/evals/{model_run['eval_id']}/items", params={"column": "cot@scripted"})
    assert bad_column.status_code == 422 and "direct@scripted" in bad_column.json()["error"]["message"]

    pair = {"a": model_run["eval_id"], "b": reference["eval_id"], "column_a": "direct@scripted",
            "column_b": "reference"}
    compared = client.get("/api/evals/compare", params=pair).json()
    assert compared["shared_items"] == 3
    (row,) = compared["columns"]
    assert (row["a_correct"], row["b_correct"], row["delta"]) == (2, 3, pytest.approx(1 / 3))
    assert (row["mcnemar"]["a_only"], row["mcnemar"]["b_only"], row["mcnemar"]["p_value"]) == (0, 1, 1.0)

    no_shared = client.get("/api/evals/compare", params={"a": model_run["eval_id"], "b": reference["eval_id"]})
    assert no_shared.status_code == 422 and "no column in common" in no_shared.json()["error"]["message"]
    game24 = finished(client, create(client, {"suite": "game24", "reference": True, "limit": 1}))
    other_suite = client.get("/api/evals/compare", params={"a": reference["eval_id"], "b": game24["eval_id"]})
    assert other_suite.status_code == 422 and "different suites" in other_suite.json()["error"]["message"]


def test_a_running_eval_shows_its_finished_items_is_cancelled_then_resumes_without_redoing_them(
    setup: tuple[TestClient, ScriptedBackend, Path],
) -> None:
    client, backend, _ = setup
    slow = backend._rules[1]  # the SLOW item's rule: slow until the eval is cancelled
    alpha_prompts = sum("alpha" in p for p in backend.prompts)
    slow.delay_s = 60.0
    try:
        created = create(client, {"suite": "jsonl", "suite_text": ARITHMETIC, "strategies": ["direct"]})
        running = wait_for(client, created["eval_id"], lambda body: body["items_done"] >= 1)
        assert (running["status"], running["items_done"], running["total_items"]) == ("running", 1, 3)
        assert running["columns"][0]["correct"] == 1  # alpha's verdict, read from the checkpoint
        cancel = client.post(f"/threads/{created['thread_id']}/runs/{created['run_id']}/cancel?wait=true")
        assert cancel.status_code == 204
        stopped = client.get(f"/api/evals/{created['eval_id']}").json()
        assert stopped["status"] == "interrupted" and stopped["items_done"] == 1
        assert f"/api/evals/{created['eval_id']}/resume" in stopped["error"]["message"]
    finally:
        slow.delay_s = 0.0
    resumed = client.post(f"/api/evals/{created['eval_id']}/resume")
    assert resumed.status_code == 200 and resumed.json()["status"] == "running"
    assert resumed.json()["run_id"] != created["run_id"]
    body = finished(client, resumed.json())
    assert body["status"] == "success" and body["items_done"] == 3 and body["columns"][0]["correct"] == 2
    assert sum("alpha" in p for p in backend.prompts) == alpha_prompts + 1  # finished before the cancel: not redone
    again = client.post(f"/api/evals/{created['eval_id']}/resume")
    assert again.status_code == 409 and "success" in again.json()["error"]["message"]


@pytest.mark.parametrize(
    ("spec", "field", "words"),
    [
        ({"suite": "mmlu", "reference": True}, "suite", "Input should be"),
        ({"suite": "gsm8k"}, "body", "choose at least one column"),
        ({"suite": "gsm8k", "reference": True, "offset": 5000}, "offset", "selects no items"),
        ({"suite": "gsm8k", "reference": True, "colour": "red"}, "colour", "Extra inputs"),
        ({"suite": "jsonl", "suite_text": '{"input": "x"}\nnot json', "reference": True}, "suite_text", "line"),
        ({"suite": "gsm8k", "strategies": ["direct"], "models": ["gpt-9"]}, "models", "unknown model 'gpt-9'"),
        ({"suite": "humaneval", "strategies": ["cot"], "limit": 1}, "strategies", "code items take"),
    ],
)
def test_a_bad_spec_is_a_422_naming_its_field(client: TestClient, spec: dict[str, Any], field: str, words: str) -> None:
    before = client.get("/api/evals").json()["total"]
    response = client.post("/api/evals", json=spec)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and words in error["message"]
    assert field in [f["field"] for f in error["fields"]]
    assert client.get("/api/evals").json()["total"] == before  # nothing was created


@pytest.mark.parametrize(
    "path",
    ["/api/evals/nope", "/api/evals/nope/items", "/api/evals/nope/export?format=csv", "/api/evals/nope/plot.png",
     "/api/evals/compare?a=nope&b=nope"],
)
def test_an_unknown_eval_is_a_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    message = "eval 'nope' not found; GET /api/evals lists them"
    assert response.json()["error"] == {"code": "not_found", "message": message}


def test_list_pages_newest_first(client: TestClient) -> None:
    ids = [create(client, {"suite": "gsm8k", "reference": True, "limit": 1, "offset": k})["eval_id"] for k in range(3)]
    first = client.get("/api/evals", params={"suite": "gsm8k", "limit": 2}).json()
    second = client.get("/api/evals", params={"suite": "gsm8k", "limit": 2, "offset": 2}).json()
    assert first["total"] == 3 and [e["eval_id"] for e in first["evals"] + second["evals"]] == ids[::-1]
    assert client.get("/api/evals", params={"limit": 0}).status_code == 422
    assert client.post("/api/evals/nope/resume").status_code == 404


def test_an_integer_beyond_64_bits_is_a_422_not_a_stored_run(client: TestClient) -> None:
    before = client.get("/api/evals").json()["total"]
    body = b'{"suite": "gsm8k", "reference": true, "seed": 1180591620717411303424}'
    response = client.post("/api/evals", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422 and "64-bit" in response.json()["error"]["message"]
    assert client.get("/api/evals").json()["total"] == before
