"""`GET /api/workflows/{id}/form`: the schema the Workflows tab draws each form from."""

from __future__ import annotations

from fastapi.testclient import TestClient

from agents.personas import PERSONAS
from tools.concepts import CONCEPTS


def test_every_workflow_has_a_form(scripted_client: TestClient) -> None:
    names = [w["name"] for w in scripted_client.get("/api/workflows").json()]
    assert {"chat", "lesson", "code", "prompt_lab", "reason", "eval"} <= set(names)
    for name in names:
        form = scripted_client.get(f"/api/workflows/{name}/form").json()
        assert form["graph_id"] == name and form["schema"]["properties"], name
        assert form["submit"] == ("eval" if name == "eval" else "run")


def test_the_lesson_form_requires_a_concept_the_course_has(scripted_client: TestClient) -> None:
    schema = scripted_client.get("/api/workflows/lesson/form").json()["schema"]
    assert schema["required"] == ["concept"]
    assert schema["properties"]["concept"]["enum"] == sorted(CONCEPTS)


def test_required_fields_and_persona_suggestions(scripted_client: TestClient) -> None:
    code = scripted_client.get("/api/workflows/code/form").json()["schema"]
    assert code["required"] == ["task"]
    assert code["properties"]["strategy"]["enum"] == ["team", "tree"]
    for key in ("coder", "evaluator", "proposer"):
        assert code["properties"][key]["examples"] == sorted(PERSONAS)
    reason = scripted_client.get("/api/workflows/reason/form").json()["schema"]
    assert "required" not in reason  # a game24 task needs no question: the server says what is missing
    assert reason["properties"]["samplers"]["examples"] == sorted(PERSONAS)
    chat = scripted_client.get("/api/workflows/chat/form").json()["schema"]
    assert chat["required"] == ["messages"] and chat["properties"]["messages"]["x-widget"] == "message"


def test_the_eval_form_is_what_post_api_evals_validates(scripted_client: TestClient) -> None:
    schema = scripted_client.get("/api/workflows/eval/form").json()["schema"]
    assert schema["required"] == ["suite"]
    props = schema["properties"]
    assert props["samples"]["default"] == 1 and props["workers"]["maximum"] == 32
    assert "code_tree" in props["strategies"]["items"]["enum"]
    # a form's values are accepted by the route it submits to
    created = scripted_client.post("/api/evals", json={"suite": "gsm8k", "limit": 1, "reference": True})
    assert created.status_code == 201, created.text


def test_an_unknown_workflow_is_a_clear_404(scripted_client: TestClient) -> None:
    res = scripted_client.get("/api/workflows/nope/form")
    assert res.status_code == 404
    assert "unknown workflow 'nope'" in res.json()["error"]["message"]
