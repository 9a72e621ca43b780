"""The concept lab over HTTP and the CLI, as a user calls it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agents.llm.backends.embedded import EmbeddedBackend
from agents.llm.gateway import Gateway
from agents.model_concepts import MODEL_CONCEPTS
from agents.settings import Settings
from tools.concepts import CONCEPTS

from .conftest import make_client
from .helpers import run_cli

BAD_VALUE = [[["not", "valid"]]]


def test_list_has_every_concept_with_schema(scripted_client: TestClient) -> None:
    listed = scripted_client.get("/api/concepts").json()
    names = {c["name"] for c in listed}
    assert len(listed) >= 26 and names == set(CONCEPTS) | set(MODEL_CONCEPTS)
    assert all(c["title"] and c["section"] and c["input_schema"]["type"] == "object" for c in listed)


def test_show_gives_explanation_example_and_quiz(scripted_client: TestClient) -> None:
    body = scripted_client.get("/api/concepts/sampling").json()
    assert len(body["explanation"].split()) > 80
    assert body["example"] and len(body["quiz"]) >= 2
    assert any("exceeds" in e or "≥" in e or ">=" in e for e in body["notes_errata"])


@pytest.mark.parametrize("name", sorted(CONCEPTS))
def test_every_concept_runs_its_example_over_http(scripted_client: TestClient, name: str) -> None:
    example = CONCEPTS[name].example
    response = scripted_client.post(f"/api/concepts/{name}/run", json=example)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["concept"] == name and body["inputs"] == example
    assert isinstance(body["result"], dict) and body["result"]
    assert body["explanation"] == CONCEPTS[name].explanation


@pytest.mark.parametrize("name", sorted(CONCEPTS) + sorted(MODEL_CONCEPTS))
def test_wrong_type_is_422_naming_the_field(scripted_client: TestClient, name: str) -> None:
    concept = CONCEPTS.get(name) or MODEL_CONCEPTS[name]
    field = next(iter(concept.example))
    response = scripted_client.post(f"/api/concepts/{name}/run", json={**concept.example, field: BAD_VALUE})
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        ("sampling", {"probs": {"a": 0.6, "b": 0.4}, "method": "top_p", "p": 0}, "p"),
        ("sampling", {"probs": {"a": 0.6, "b": 0.4}, "method": "top_p", "p": 1.2}, "p"),
        ("neuron", {"x": [1, 2], "w": [1], "b": 0, "activation": "relu"}, "w"),
        ("attention", {"q": [[1, 0]], "k": [[1, 0], [0, 1]], "v": [[1]], "causal": False}, "v"),
        ("pass_at_k", {"n": 5, "c": 6, "k": 1}, "c"),
    ],
)
def test_out_of_range_and_mismatch_are_422(scripted_client: TestClient, name: str, body: dict, field: str) -> None:
    response = scripted_client.post(f"/api/concepts/{name}/run", json=body)
    assert response.status_code == 422
    assert field in response.json()["error"]["message"]


def test_unknown_concept_is_404_and_non_object_body_is_422(scripted_client: TestClient) -> None:
    missing = scripted_client.post("/api/concepts/warp_drive/run", json={})
    assert missing.status_code == 404 and "warp_drive" in missing.json()["error"]["message"]
    assert scripted_client.get("/api/concepts/warp_drive").status_code == 404
    assert scripted_client.post("/api/concepts/bpe/run", json=[1, 2]).status_code == 422
    broken = scripted_client.post(
        "/api/concepts/bpe/run", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422


def test_next_token_runs_through_the_gateway(scripted_client: TestClient) -> None:
    body = scripted_client.post("/api/concepts/next_token/run", json={"prompt": "The capital of France is", "top_k": 2})
    assert body.status_code == 200
    assert [t["token"] for t in body.json()["result"]["tokens"]] == [" Paris", " the"]


@pytest.mark.embedded
def test_model_concepts_run_on_the_real_model(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    gateway = Gateway(EmbeddedBackend(None, Settings().embedded_cache_dir, n_ctx=2048))
    with make_client(tmp_path, gateway) as client:
        nxt = client.post("/api/concepts/next_token/run", json=MODEL_CONCEPTS["next_token"].example).json()["result"]
        cmp_ = client.post(
            "/api/concepts/decode_compare/run", json={"prompt": "The capital of France is", "max_new_tokens": 3}
        ).json()["result"]
    probs = [t["prob"] for t in nxt["tokens"]]
    assert probs == sorted(probs, reverse=True) and sum(probs) <= 1
    methods = cmp_["methods"]
    assert set(methods) == {"greedy", "beam", "top_p", "temperature"}
    beams = [b["logprob"] for b in methods["beam"]["beams"]]  # beam need not beat greedy, but is its own best
    assert beams == sorted(beams, reverse=True) and methods["beam"]["logprob"] == beams[0]


def test_cli_lists_shows_and_runs() -> None:
    listing = run_cli("concepts", "list", timeout=60)
    assert listing.returncode == 0 and all(name in listing.stdout for name in ("bpe", "rope", "pass_at_k"))
    shown = run_cli("concepts", "show", "neuron", timeout=60)
    assert shown.returncode == 0 and "Quiz" in shown.stdout and "0.332" in shown.stdout
    ran = run_cli("concepts", "run", "pass_at_k", "--json", '{"n": 10, "c": 3, "k": 5}', timeout=60)
    assert ran.returncode == 0
    assert json.loads(ran.stdout)["result"]["pass_at_k"] == pytest.approx(1 - 21 / 252)
    default = run_cli("concepts", "run", "bpe", timeout=60)
    assert default.returncode == 0 and json.loads(default.stdout)["result"]["merges"]
    bad = run_cli("concepts", "run", "sampling", "--json", '{"probs": {"a": 1}, "method": "top_p", "p": 2}', timeout=60)
    assert bad.returncode == 2 and "p:" in bad.stderr
