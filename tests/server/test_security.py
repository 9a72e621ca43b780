"""Auth, the body-size cap, CORS, JSON 404/405 and no tracebacks, on the real app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from fastapi.testclient import TestClient
from openai import OpenAI

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.gateway import Gateway

from .conftest import make_client
from .helpers import running_server

KEY = "s3cret-key"
CHAT = {"model": "scripted", "messages": [{"role": "user", "content": "hi"}]}
OWN_POST_ROUTES = ["/v1/chat/completions", "/api/models/pull"]
OWN_GET_ROUTES = ["/api/models", "/api/agents", "/api/workflows", "/v1/models"]


def scripted() -> Gateway:
    return Gateway(ScriptedBackend([{"pattern": ".", "response": "ok"}]))


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(tmp_path, scripted(), api_key=KEY) as client:
        yield client


@pytest.fixture
def small(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(tmp_path, scripted(), max_body_bytes=2048) as client:
        yield client


# ---------------------------------------------------------------- auth


def test_auth_off_needs_no_key(scripted_client: TestClient) -> None:
    for path in [*OWN_GET_ROUTES, "/health", "/openapi.json"]:
        assert scripted_client.get(path).status_code == 200, path


def test_auth_on_health_is_public_everything_else_needs_the_key(locked: TestClient) -> None:
    assert locked.get("/health").status_code == 200
    for path in [*OWN_GET_ROUTES, "/docs", "/openapi.json", "/api/concepts", "/api/nowhere"]:
        response = locked.get(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == "Bearer"
    body = locked.get("/api/agents").json()
    assert body["error"]["code"] == "unauthorized" and "X-Api-Key" in body["error"]["message"]
    assert locked.post("/v1/chat/completions", json=CHAT).status_code == 401


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": f"Bearer {KEY}"}, {"authorization": f"bearer {KEY}"}, {"X-Api-Key": KEY}],
)
def test_either_header_opens_every_route(locked: TestClient, headers: dict[str, str]) -> None:
    for path in [*OWN_GET_ROUTES, "/openapi.json", "/docs"]:
        assert locked.get(path, headers=headers).status_code == 200, path
    assert locked.post("/v1/chat/completions", json=CHAT, headers=headers).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {KEY}"},
        {"Authorization": f"Bearer {KEY}x"},
        {"X-Api-Key": KEY[:-1]},
        {"Authorization": "Bearer "},
    ],
)
def test_wrong_keys_are_refused(locked: TestClient, headers: dict[str, str]) -> None:
    assert locked.get("/api/agents", headers=headers).status_code == 401


def test_v1_401_is_openai_shaped(locked: TestClient) -> None:
    error = locked.get("/v1/models", headers={"Authorization": "Bearer nope"}).json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "authentication_error" and error["code"] == "invalid_api_key"


def test_key_is_compared_in_constant_time() -> None:
    import inspect

    from server import security

    assert "hmac.compare_digest" in inspect.getsource(security.key_matches)
    assert security.key_matches(KEY, KEY) and not security.key_matches(None, KEY)
    assert not security.key_matches("ключ", KEY)  # non-ASCII keys are compared, not crashed on


def test_openai_sdk_with_and_without_the_key(tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([{"pattern": ".", "response": "locked answer"}]))
    env = {"THINKROOM_BACKEND": "scripted", "THINKROOM_SCRIPTED_RULES": str(rules), "THINKROOM_API_KEY": KEY}
    with running_server(tmp_path, **env) as url:
        assert httpx.get(f"{url}/health").status_code == 200
        with pytest.raises(openai.AuthenticationError) as caught:
            OpenAI(base_url=f"{url}/v1", api_key="wrong", max_retries=0).models.list()
        assert caught.value.status_code == 401 and caught.value.code == "invalid_api_key"
        good = OpenAI(base_url=f"{url}/v1", api_key=KEY, max_retries=0)
        answer = good.chat.completions.create(model="scripted", messages=[{"role": "user", "content": "hi"}])
        assert answer.choices[0].message.content == "locked answer"


# ---------------------------------------------------------------- body size


def test_body_over_the_limit_is_413_by_content_length(small: TestClient) -> None:
    big = {"name": "x" * 4096}
    response = small.post("/api/models/pull", json=big)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large" and "2048" in response.json()["error"]["message"]
    v1 = small.post("/v1/chat/completions", json={**CHAT, "padding": "x" * 4096})
    assert v1.status_code == 413 and v1.json()["error"]["type"] == "invalid_request_error"
    assert small.post("/api/models/pull", json={"name": "x" * 100}).status_code != 413


def test_body_under_the_limit_is_served(small: TestClient) -> None:
    assert small.post("/v1/chat/completions", json=CHAT).status_code == 200


def test_chunked_body_over_the_limit_is_413(tmp_path: Path) -> None:
    """A body without Content-Length is counted as it arrives."""
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([{"pattern": ".", "response": "ok"}]))
    env = {
        "THINKROOM_BACKEND": "scripted",
        "THINKROOM_SCRIPTED_RULES": str(rules),
        "THINKROOM_MAX_BODY_BYTES": "4096",
    }

    def chunks(total: int) -> Iterator[bytes]:
        payload = json.dumps({**CHAT, "padding": "x" * total}).encode()
        for i in range(0, len(payload), 512):
            yield payload[i : i + 512]

    with running_server(tmp_path, **env) as url:
        headers = {"content-type": "application/json"}
        too_big = httpx.post(f"{url}/v1/chat/completions", content=chunks(10_000), headers=headers)
        assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "too_large"
        fine = httpx.post(f"{url}/v1/chat/completions", content=chunks(100), headers=headers)
        assert fine.status_code == 200 and fine.json()["choices"][0]["message"]["content"] == "ok"
        project = httpx.post(f"{url}/api/models/pull", content=chunks(10_000), headers=headers)
        assert project.status_code == 413 and project.json()["error"]["code"] == "too_large"


# ---------------------------------------------------------------- CORS


def preflight(client: TestClient, origin: str, path: str = "/v1/chat/completions") -> httpx.Response:
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )


def test_cors_preflight_for_a_configured_origin(locked: TestClient) -> None:
    response = preflight(locked, "http://localhost:8000")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:8000"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


def test_cors_refuses_other_origins(scripted_client: TestClient) -> None:
    response = preflight(scripted_client, "https://evil.example")
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    simple = scripted_client.get("/api/agents", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_cors_origins_come_from_settings(tmp_path: Path) -> None:
    with make_client(tmp_path, scripted(), cors_origins=["https://app.example"], api_key=KEY) as client:
        assert preflight(client, "https://app.example").headers["access-control-allow-origin"] == "https://app.example"
        assert preflight(client, "http://localhost:8000").status_code == 400
        denied = client.get("/api/agents", headers={"Origin": "https://app.example"})
        assert denied.status_code == 401  # a browser can read the 401, so it knows a key is needed
        assert denied.headers["access-control-allow-origin"] == "https://app.example"


# ---------------------------------------------------------------- error shapes


def test_404_and_405_are_json(scripted_client: TestClient) -> None:
    missing = scripted_client.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong = scripted_client.delete("/api/agents")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in wrong.headers["allow"]
    v1 = scripted_client.delete("/v1/models")
    assert v1.status_code == 405 and v1.json()["error"]["code"] == "method_not_allowed"
    assert scripted_client.get("/v1/nothing").json()["error"]["code"] == "unknown_url"


BAD_BODIES = [
    b"{not json",
    b"",
    b"[]",
    b"null",
    b'{"model": 5, "messages": "x"}',
    b'{"name": {"deep": [1, 2]}}',
    "\u00ff\u0000".encode("latin-1"),
    b'{"model": "scripted", "messages": [{"role": "user", "content": [{"type": "text"}]}]}',
]


@pytest.mark.parametrize("path", OWN_POST_ROUTES)
@pytest.mark.parametrize("body", BAD_BODIES)
def test_malformed_bodies_never_return_a_traceback(scripted_client: TestClient, path: str, body: bytes) -> None:
    response = scripted_client.post(path, content=body, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    text = response.text
    assert "Traceback" not in text and 'File "' not in text
    error = response.json()["error"]
    assert error["message"]
    if path.startswith("/v1"):
        assert set(error) == {"message", "type", "param", "code"} and response.status_code == 400


def test_an_unexpected_failure_is_a_500_without_traceback(tmp_path: Path) -> None:
    class Broken(ScriptedBackend):
        async def chat(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
            raise RuntimeError("secret internal detail at /home/me/app.py")

    with make_client(tmp_path, Gateway(Broken([]))) as client:
        response = client.post("/v1/chat/completions", json=CHAT)
    assert response.status_code == 500
    error = response.json()["error"]
    assert error == {
        "message": "internal error: RuntimeError",
        "type": "server_error",
        "param": None,
        "code": "internal_error",
    }
