"""GET /api/search on the real app: ranked hits, filters, auth, and 422s naming the bad parameter."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.gateway import Gateway

from .conftest import make_client

FIELDS = {"kind", "concept", "title", "section", "line_start", "line_end", "text", "score"}


def test_search_ranks_the_concept_first(scripted_client: TestClient) -> None:
    response = scripted_client.get("/api/search", params={"q": "top-p nucleus sampling"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["query"] == "top-p nucleus sampling"
    hits = body["hits"]
    assert 1 <= len(hits) <= 10 and all(FIELDS <= set(h) for h in hits)
    assert next(h for h in hits if h["kind"] == "concept")["concept"] == "sampling"
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_kind_and_limit_filter(scripted_client: TestClient) -> None:
    hits = scripted_client.get("/api/search", params={"q": "Beam search", "kind": "notes", "limit": 3}).json()["hits"]
    assert len(hits) == 3 and {h["kind"] for h in hits} == {"notes"}
    assert hits[0]["section"] == "Beam Search" and hits[0]["line_start"] <= 584 <= hits[0]["line_end"]
    both = scripted_client.get("/api/search?q=GQA&kind=erratum&kind=quiz&limit=50").json()["hits"]
    assert (
        both and {h["kind"] for h in both} <= {"erratum", "quiz"} and {"erratum", "quiz"} <= {h["kind"] for h in both}
    )


def test_erratum_hit_cites_the_notes_line(scripted_client: TestClient) -> None:
    hit = scripted_client.get("/api/search", params={"q": "12888", "kind": "erratum"}).json()["hits"][0]
    assert (hit["concept"], hit["line_start"], hit["line_end"]) == ("parameter_count", 795, 795)


def test_concept_filter_accepts_aliases(scripted_client: TestClient) -> None:
    hits = scripted_client.get("/api/search", params={"q": "heads", "concept": "gqa"}).json()["hits"]
    assert hits and {h["concept"] for h in hits} == {"grouped_query_attention"}
    bad = scripted_client.get("/api/search", params={"q": "heads", "concept": "warp_drive"})
    assert bad.status_code == 422 and "concept" in bad.json()["error"]["message"]


@pytest.mark.parametrize("query", ['"', "a AND (", "-", "*", "the"])
def test_hostile_queries_answer_200_with_a_list(scripted_client: TestClient, query: str) -> None:
    response = scripted_client.get("/api/search", params={"q": query})
    assert response.status_code == 200 and response.json() == {"query": query, "hits": []}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "beam", "kind": "video"}, "kind"),
        ({"q": "beam", "limit": 0}, "limit"),
        ({"q": "beam", "limit": 51}, "limit"),
        ({"q": "beam", "limit": "many"}, "limit"),
    ],
)
def test_bad_parameters_are_422_naming_them(scripted_client: TestClient, params: dict, field: str) -> None:
    response = scripted_client.get("/api/search", params=params)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["message"].startswith(f"invalid input: {field}")
    assert any(f["field"].split(".")[0] == field for f in error["fields"])  # a list parameter reports "kind.0"


def test_search_needs_the_api_key_when_one_is_set(tmp_path: Path) -> None:
    gateway = Gateway(ScriptedBackend([{"pattern": ".", "response": "ok"}]))
    with make_client(tmp_path, gateway, api_key="k3y") as client:
        assert client.get("/api/search", params={"q": "beam"}).status_code == 401
        ok = client.get("/api/search", params={"q": "beam"}, headers={"Authorization": "Bearer k3y"})
    assert ok.status_code == 200 and ok.json()["hits"]
