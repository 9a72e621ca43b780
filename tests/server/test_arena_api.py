"""`/api/arenas` over HTTP on the real app: arenas are runs, people vote blind, ratings from judge, people and both."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from agents.evals.suites import gsm8k_items
from agents.llm.gateway import Gateway
from server.arena.export import PAIR_FIELDS, RATING_FIELDS
from tests.workflows.arena_helpers import Models, gsm8k_answers

from .conftest import make_client

ITEMS = gsm8k_items()[:4]
GOOD, BAD, JUDGE = "model-good-7b", "model-bad-1b", "judge-270m"
SPEC = {"suite": "gsm8k", "limit": 4, "contestants": [GOOD, BAD], "seed": 5}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    backend = Models({JUDGE: [], GOOD: gsm8k_answers(ITEMS, True), BAD: gsm8k_answers(ITEMS, False)})
    with make_client(tmp_path_factory.mktemp("arena-api"), Gateway(backend)) as client:
        yield client


def finished(client: TestClient, spec: dict[str, Any]) -> dict[str, Any]:
    """Create the arena, join its run (an ordinary run), then read the arena."""
    response = client.post("/api/arenas", json=spec)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["thread_id"] == created["arena_id"] and created["status"] == "running"
    assert response.headers["location"] == f"/api/arenas/{created['arena_id']}"
    joined = client.get(f"/threads/{created['thread_id']}/runs/{created['run_id']}/join")
    assert joined.status_code == 200, joined.text
    body = client.get(f"/api/arenas/{created['arena_id']}").json()
    assert body["status"] == "success", body
    return dict(body)


def test_an_arena_runs_and_is_listed_with_the_judges_ratings(client: TestClient) -> None:
    body = finished(client, SPEC)
    assert (body["items_done"], body["total_items"], body["pairs"], body["verified_pairs"]) == (4, 4, 4, 4)
    assert body["contestants"] == [GOOD, BAD] and body["human_votes"] == 0 and body["suite"] == "gsm8k"
    good, bad = body["ratings"]["ratings"]
    assert good["contestant"] == GOOD and good["low"] > bad["high"]
    listed = client.get("/api/arenas", params={"status": "success"}).json()
    assert body["arena_id"] in [a["arena_id"] for a in listed["arenas"]] and listed["total"] >= 1
    assert "items" not in listed["arenas"][0]
    full = client.get(f"/api/arenas/{body['arena_id']}", params={"prompts": True}).json()
    assert [i["id"] for i in full["items"]] == [i.id for i in ITEMS]
    assert all(i["pairs"][0]["judgement"]["by"] == "verifier" for i in full["items"])


def test_people_vote_blind_and_get_their_own_ratings(client: TestClient) -> None:
    arena_id = finished(client, SPEC)["arena_id"]
    full = client.get(f"/api/arenas/{arena_id}", params={"prompts": True}).json()
    sides = {p["pair_id"]: p for i in full["items"] for p in i["pairs"]}
    voted = []
    while True:
        shown = client.get(f"/api/arenas/{arena_id}/pairs/next")
        assert shown.status_code == 200
        body = shown.json()
        if body["pair"] is None:
            assert body["remaining"] == 0
            break
        pair = body["pair"]
        assert set(pair) == {"pair_id", "prompt", "a", "b"}
        assert GOOD not in shown.text and BAD not in shown.text  # blind: no contestant is named
        assert pair["prompt"] in {i.input for i in ITEMS} and "Answer:" in pair["a"] and "Answer:" in pair["b"]
        truth = sides[pair["pair_id"]]
        bad_side = "a" if truth["a"] == BAD else "b"  # this person prefers the wrong answers
        answer = client.post(f"/api/arenas/{arena_id}/votes", json={"pair_id": pair["pair_id"], "winner": bad_side})
        assert answer.status_code == 201, answer.text
        assert answer.json()["remaining"] == body["remaining"] - 1
        voted.append(pair["pair_id"])
    assert sorted(voted) == sorted(sides)  # every pair was shown once

    again = client.post(f"/api/arenas/{arena_id}/votes", json={"pair_id": voted[0], "winner": "tie"})
    assert again.status_code == 409 and "one vote" in again.json()["error"]["message"]
    rated = client.get(f"/api/arenas/{arena_id}/ratings").json()
    judge, human, combined = rated["judge"], rated["human"], rated["combined"]
    assert judge["ratings"][0]["contestant"] == GOOD and human["ratings"][0]["contestant"] == BAD
    assert (judge["outcomes"], human["outcomes"], combined["outcomes"]) == (4, 4, 8)
    assert human["ratings"][0]["wins"] == 4 and human["ratings"][0]["low"] > human["ratings"][1]["high"]
    assert [round(r["elo"], 6) for r in combined["ratings"]] == [1000.0, 1000.0]  # 4 wins each way: equal
    only = client.get(f"/api/arenas/{arena_id}/ratings", params={"source": "human"}).json()
    assert set(only) == {"arena_id", "status", "human"} and only["human"] == human
    votes = client.get(f"/api/arenas/{arena_id}/votes").json()["votes"]
    assert [v["pair_id"] for v in votes] == voted and all({v["a"], v["b"]} == {GOOD, BAD} for v in votes)
    assert client.get(f"/api/arenas/{arena_id}").json()["human_votes"] == 4


def test_exports_and_plots(client: TestClient) -> None:
    arena_id = finished(client, SPEC)["arena_id"]
    first = client.get(f"/api/arenas/{arena_id}/pairs/next").json()["pair"]
    client.post(f"/api/arenas/{arena_id}/votes", json={"pair_id": first["pair_id"], "winner": "tie"})
    document = json.loads(client.get(f"/api/arenas/{arena_id}/export").text)
    assert document["arena"]["arena_id"] == arena_id and len(document["result"]["items"]) == 4
    assert [v["winner"] for v in document["votes"]] == ["tie"]
    assert set(document["ratings"]) == {"judge", "human", "combined"}
    table = client.get(f"/api/arenas/{arena_id}/export", params={"format": "csv"})
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert tuple(rows[0]) == PAIR_FIELDS and len(rows) == 4
    assert {r["judge_winner"] for r in rows} == {GOOD} and {r["judged_by"] for r in rows} == {"verifier"}
    assert [r["human_winner"] for r in rows if r["human_winner"]] == ["tie"]
    assert all((r["a_correct"], r["b_correct"]) in {("1", "0"), ("0", "1")} for r in rows)
    ratings = list(csv.DictReader(io.StringIO(
        client.get(f"/api/arenas/{arena_id}/export", params={"format": "csv", "table": "ratings"}).text)))
    assert tuple(ratings[0]) == RATING_FIELDS and [r["source"] for r in ratings] == ["judge"] * 2 + ["human"] * 2 + [
        "combined"] * 2
    png = client.get(f"/api/arenas/{arena_id}/plot.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = client.get(f"/api/arenas/{arena_id}/plot.svg", params={"source": "judge"})
    assert ET.fromstring(svg.content).tag == "{http://www.w3.org/2000/svg}svg"
    assert GOOD in svg.text and "Bradley-Terry rating" in svg.text
    assert svg.content == client.get(f"/api/arenas/{arena_id}/plot.svg", params={"source": "judge"}).content


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({**SPEC, "contestants": [GOOD]}, "contestants"),
        ({**SPEC, "contestants": [GOOD, "model-missing"]}, "contestants"),
        ({**SPEC, "judge_model": "model-missing"}, "judge_model"),
        ({**SPEC, "judge": "oracle"}, "judge"),
        ({**SPEC, "offset": 100_000}, "offset"),
        ({"prompts": ["x"], "suite": "gsm8k", "contestants": [GOOD, BAD]}, "body"),
    ],
)
def test_bad_arenas_are_refused_before_a_run_exists(client: TestClient, spec: dict[str, Any], field: str) -> None:
    before = client.get("/api/arenas").json()["total"]
    response = client.post("/api/arenas", json=spec)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert any(f["field"].startswith(field) for f in error["fields"]), error
    assert client.get("/api/arenas").json()["total"] == before


def test_bad_votes_and_unknown_ids(client: TestClient) -> None:
    arena_id = finished(client, SPEC)["arena_id"]
    pair_id = client.get(f"/api/arenas/{arena_id}/pairs/next").json()["pair"]["pair_id"]
    for body, status in [({"pair_id": pair_id, "winner": "c"}, 422), ({"pair_id": "gsm8k/99:0", "winner": "a"}, 422),
                         ({"pair_id": pair_id}, 422), ({"pair_id": pair_id, "winner": "a", "who": "me"}, 422)]:
        response = client.post(f"/api/arenas/{arena_id}/votes", json=body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["error"]["code"] == "invalid_input"
    for path in ["", "/pairs/next", "/ratings", "/export", "/plot.png", "/votes"]:
        missing = client.get(f"/api/arenas/no-such-arena{path}")
        assert missing.status_code == 404 and "not found" in missing.json()["error"]["message"], path
    assert client.post("/api/arenas/no-such-arena/votes", json={"pair_id": "x", "winner": "a"}).status_code == 404
    assert client.post("/api/arenas/no-such-arena/resume").status_code == 404
    assert client.post(f"/api/arenas/{arena_id}/resume").status_code == 409  # it succeeded
    assert client.get(f"/api/arenas/{arena_id}/plot.gif").status_code in (404, 422)


def test_a_failed_arena_can_be_voted_on_and_resumed_skipping_its_finished_prompts(tmp_path: Path) -> None:
    backend = Models({JUDGE: [], GOOD: gsm8k_answers(ITEMS, True), BAD: gsm8k_answers(ITEMS, False)},
                     down_on=ITEMS[2].input[:60])  # the backend "goes away" on the third prompt
    with make_client(tmp_path, Gateway(backend)) as client:
        created = client.post("/api/arenas", json=SPEC).json()
        client.get(f"/threads/{created['thread_id']}/runs/{created['run_id']}/join")
        failed = client.get(f"/api/arenas/{created['arena_id']}").json()
        assert failed["status"] == "error" and failed["error"]["code"] == "backend_unavailable"
        finished_ids = [i["id"] for i in client.get(f"/api/arenas/{created['arena_id']}",
                                                     params={"prompts": True}).json()["items"]]
        assert ITEMS[0].id in finished_ids and ITEMS[2].id not in finished_ids  # read from its checkpoint
        assert (failed["items_done"], failed["total_items"]) == (len(finished_ids), 4)
        shown = client.get(f"/api/arenas/{created['arena_id']}/pairs/next").json()
        assert shown["remaining"] == len(finished_ids) and shown["pair"]["pair_id"] == f"{ITEMS[0].id}:0"
        vote = client.post(f"/api/arenas/{created['arena_id']}/votes", json={"pair_id": shown["pair"]["pair_id"],
                                                                               "winner": "tie"})
        assert vote.status_code == 201 and vote.json()["remaining"] == len(finished_ids) - 1

        asked = len(backend.prompts_to(GOOD))
        backend.down_on = None
        resumed = client.post(f"/api/arenas/{created['arena_id']}/resume")
        assert resumed.status_code == 200 and resumed.json()["status"] == "running"
        client.get(f"/threads/{created['thread_id']}/runs/{resumed.json()['run_id']}/join")
        done = client.get(f"/api/arenas/{created['arena_id']}").json()
        assert done["status"] == "success" and done["items_done"] == 4 and done["human_votes"] == 1
        assert len(backend.prompts_to(GOOD)) - asked == 4 - len(finished_ids)  # only the unfinished prompts again
        assert client.get(f"/api/arenas/{created['arena_id']}/pairs/next").json()["remaining"] == 3
