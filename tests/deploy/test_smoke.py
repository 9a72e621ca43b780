"""Deployment smoke test without Docker: run the container's exact command with the container's
exact environment (Dockerfile ENV, then docker-compose.yml's `environment`) as a local process,
against a local server that plays Ollama. Only what cannot exist outside Docker is replaced:
the port (a free one), /data (a tmp dir) and the `ollama` host name (the test double's URL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.ollama_wire import chat_delta, chat_final, ndjson
from tests.server.helpers import THINKROOM, free_port

from .deployment import final_stage, healthcheck_test, is_route, load_compose, service_environment

MODEL = "llama3.2:3b"
ANSWER = ["Hello", " from", " the", " Ollama", " double."]


def _chat(request: Request) -> Response:
    body = json.loads(request.get_data())
    if body.get("stream", True):  # Ollama streams unless the request says "stream": false
        lines = ndjson(*(chat_delta(t, model=MODEL) for t in ANSWER), chat_final(eval_count=5, model=MODEL))
        return Response(lines, content_type="application/x-ndjson")
    return Response(json.dumps(chat_final("".join(ANSWER), eval_count=5, model=MODEL)), content_type="application/json")


@pytest.fixture(scope="module")
def fake_ollama() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/api/version").respond_with_json({"version": "0.12.11"})
    server.expect_request("/api/chat", method="POST").respond_with_handler(_chat)
    show = {"capabilities": ["completion"], "model_info": {}}
    server.expect_request("/api/show", method="POST").respond_with_json(show)
    server.expect_request("/api/tags").respond_with_json(
        {"models": [{"name": MODEL, "model": MODEL, "size": 2019393189, "details": {"family": "llama"}}]}
    )
    server.start()
    yield server
    server.clear()
    server.stop()


@dataclass
class Deployment:
    url: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    replaced: dict[str, tuple[str, str]] = field(default_factory=dict)


def container_command() -> list[str]:
    command = load_compose()["services"]["thinkroom"].get("command")
    return list(command) if command else list(final_stage().cmd or [])


def container_environment() -> dict[str, str]:
    """What Docker puts in the container: image ENV, overridden by compose's environment."""
    image_env = {k: v for k, v in final_stage().env.items() if "$" not in v}  # PATH=/opt/venv/bin:$PATH
    compose_env = service_environment(load_compose()["services"]["thinkroom"])
    return {**image_env, **{k: v for k, v in compose_env.items() if v is not None}}


@pytest.fixture(scope="module")
def deployment(fake_ollama: HTTPServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    tmp = tmp_path_factory.mktemp("deploy")
    data = tmp / "data"
    data.mkdir()
    port = free_port()

    argv = container_command()
    assert argv[0] == "thinkroom" and "--port" in argv
    argv = [THINKROOM, *argv[1:]]
    argv[argv.index("--port") + 1] = str(port)

    container_env = container_environment()
    env = {**container_env}
    for key, value in container_env.items():
        if "/data/" in value:
            env[key] = value.replace("/data/", f"{data}/")
    env["OLLAMA_HOST"] = fake_ollama.url_for("").rstrip("/")
    replaced = {k: (container_env[k], env[k]) for k in env if env[k] != container_env[k]}

    host_env = {k: v for k, v in os.environ.items() if not k.startswith("THINKROOM_") and k != "OLLAMA_HOST"}
    full_env = {**host_env, **env}
    log_path = tmp / "serve.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(argv, env=full_env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"`{' '.join(argv)}` exited: {log_path.read_text()}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no /health within 90 s: {log_path.read_text()}")
            time.sleep(0.1)
        yield Deployment(url=url, argv=argv, env=full_env, cwd=tmp, replaced=replaced)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_only_what_cannot_exist_outside_docker_is_replaced(deployment: Deployment) -> None:
    assert set(deployment.replaced) == {
        "OLLAMA_HOST",
        "THINKROOM_DATABASE_URL",
        "THINKROOM_CHECKPOINT_PATH",
        "THINKROOM_EMBEDDED_CACHE_DIR",
    }
    assert deployment.replaced["OLLAMA_HOST"][0] == "http://ollama:11434"
    assert "--host" in deployment.argv and deployment.argv[deployment.argv.index("--host") + 1] == "0.0.0.0"


def test_health_reports_the_ollama_backend(deployment: Deployment) -> None:
    health = httpx.get(f"{deployment.url}/health", timeout=5).json()
    assert health["status"] == "ok"
    assert health["backend"] == "ollama"
    assert health["model"] == MODEL
    assert "THINKROOM_BACKEND=ollama" in health["backend_reason"]


def test_healthcheck_commands_pass_against_the_running_service(deployment: Deployment) -> None:
    port = deployment.url.rsplit(":", 1)[1]
    compose_check = healthcheck_test(load_compose()["services"]["thinkroom"]["healthcheck"]["test"])
    for check in (compose_check, final_stage().healthcheck or []):
        assert check[0] == "python"
        argv = [sys.executable, *(arg.replace(":8000/", f":{port}/") for arg in check[1:])]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
        assert result.returncode == 0, result.stderr
    dead = [sys.executable, *(arg.replace(":8000/", f":{free_port()}/") for arg in compose_check[1:])]
    assert subprocess.run(dead, capture_output=True, timeout=30, check=False).returncode != 0


def test_a_chat_completes_through_ollama(deployment: Deployment, fake_ollama: HTTPServer) -> None:
    """`thinkroom ask` in the container's environment streams from /api/chat."""
    before = len(fake_ollama.log)
    result = subprocess.run(
        [THINKROOM, "ask", "hi"],
        env=deployment.env,
        cwd=deployment.cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "".join(ANSWER)
    assert f"ollama/{MODEL}: 26 prompt + 5 completion tokens" in result.stderr
    chats = [json.loads(req.get_data()) for req, _ in fake_ollama.log[before:] if req.path == "/api/chat"]
    assert chats, "no /api/chat request reached the Ollama double"
    assert chats[-1]["model"] == MODEL and chats[-1]["stream"] is True
    assert chats[-1]["messages"][-1] == {"role": "user", "content": "hi"}
    assert chats[-1]["options"]["num_ctx"] == 8192


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_a_chat_completes_through_the_openai_endpoint(deployment: Deployment, stream: bool) -> None:
    if not is_route("/v1/chat/completions", "POST"):
        pytest.skip("no POST /v1/chat/completions in the app yet (chat checked via `thinkroom ask`)")
    request = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    response = httpx.post(f"{deployment.url}/v1/chat/completions", json=request, timeout=60)
    assert response.status_code == 200, response.text
    if not stream:
        body = response.json()
        assert body["choices"][0]["message"]["content"] == "".join(ANSWER)
        assert (body["usage"]["prompt_tokens"], body["usage"]["completion_tokens"]) == (26, 5)
        return
    data = [line.removeprefix("data:").strip() for line in response.text.splitlines() if line.startswith("data:")]
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == "".join(ANSWER)
