"""Every backend fault on every entry point fails the same way: the typed error code, a run marked
`error`, and a server that still answers /health.

Faults: Ollama down (a closed port), a missing model (404), a timeout, an error mid-stream,
malformed JSON and a prompt over the context window, played by a threaded pytest-httpserver
speaking Ollama's wire format. Entries: `/v1` with a backend model (plain and streamed), a
persona and each workflow id; `runs.wait`; `runs.stream`; a background run plus `join`; and
`thinkroom run`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from agents.llm.backends.ollama_backend import OllamaBackend
from agents.llm.gateway import Gateway
from tests.ollama_wire import MODEL, chat_delta, chat_final, ndjson

from .conftest import make_client
from .helpers import free_port, run_cli

TIMEOUT_S = 1.0  # generous: a loaded CI machine must not turn a fast 404 into a timeout
SLOW_S = 2.5  # the timed-out handler's delay: well over TIMEOUT_S, short enough to keep the test fast
QUESTION = "What is 17 + 25?"

FAULTS = {
    "down": "backend_unavailable",
    "missing_model": "model_not_found",
    "timeout": "backend_timeout",
    "mid_stream": "backend_error",
    "malformed_json": "backend_error",
    "context_overflow": "context_length_exceeded",
}
STATUS = {
    "backend_unavailable": 503,
    "model_not_found": 424,
    "backend_timeout": 504,
    "backend_error": 502,
    "context_length_exceeded": 400,
}


def show_body() -> dict[str, Any]:
    return {
        "modelfile": "",
        "parameters": "",
        "template": "",
        "details": {"format": "gguf", "family": "llama", "parameter_size": "3.2B"},
        "model_info": {"general.architecture": "llama", "llama.context_length": 8192},
        "capabilities": ["completion"],
    }


def faulty_ollama(fault: str) -> Callable[[Request], Response]:
    """Ollama whose catalogue answers but whose model calls (chat, generate) fail with `fault`."""

    def handle(request: Request) -> Response:
        if request.path == "/api/tags":
            tags = {"models": [{"name": MODEL, "model": MODEL, "size": 1, "digest": "d", "details": {}}]}
            return Response(json.dumps(tags), content_type="application/json")
        if fault == "missing_model":
            return Response(json.dumps({"error": f"model '{MODEL}' not found, try pulling it first"}), status=404)
        if request.path == "/api/show":
            return Response(json.dumps(show_body()), content_type="application/json")
        streaming = bool((request.get_json(silent=True) or {}).get("stream"))
        if fault == "timeout":
            time.sleep(SLOW_S)
            return Response(json.dumps(chat_final("too late")), content_type="application/json")
        if fault == "context_overflow":  # Ollama's answer when a prompt does not fit num_ctx
            return Response(json.dumps({"error": "the input length exceeds the context length"}), status=400)
        if fault == "malformed_json":
            return Response('{"model": "llama3.2:3b", "message": {"content": ', content_type="application/json")
        # mid_stream: a streamed reply breaks after two pieces; a whole reply fails as Ollama's runner does
        if streaming:
            body = ndjson(chat_delta("Hel"), chat_delta("lo"), {"error": "model runner has unexpectedly stopped"})
            return Response(body, content_type="application/x-ndjson")
        return Response(json.dumps({"error": "model runner has unexpectedly stopped"}), status=500)

    return handle


@pytest.fixture(scope="module")
def ollama_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)  # threaded: a slow answer blocks no other request
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture(scope="module")
def closed_host() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def apps(
    ollama_server: HTTPServer, closed_host: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, TestClient]]:
    """Two apps on short-timeout Ollama gateways: one whose Ollama is down, one on the faulty fake."""
    clients: dict[str, TestClient] = {}
    for name, host in (("down", closed_host), ("fake", ollama_server.url_for("/").rstrip("/"))):
        backend = OllamaBackend(host, default_model=MODEL, timeout_s=TIMEOUT_S, connect_timeout_s=TIMEOUT_S, attempts=1)
        clients[name] = make_client(tmp_path_factory.mktemp(f"faults-{name}"), Gateway(backend)).__enter__()
    yield clients
    for client in clients.values():
        client.__exit__(None, None, None)


@pytest.fixture(params=list(FAULTS))
def fault(request: pytest.FixtureRequest, ollama_server: HTTPServer) -> Iterator[str]:
    name = str(request.param)
    ollama_server.clear()
    if name != "down":
        ollama_server.expect_request("/api/tags").respond_with_handler(faulty_ollama(name))
        for path in ("/api/show", "/api/chat", "/api/generate"):
            ollama_server.expect_request(path, method="POST").respond_with_handler(faulty_ollama(name))
    yield name
    ollama_server.clear()


def client_for(apps: dict[str, TestClient], fault: str) -> TestClient:
    return apps["down" if fault == "down" else "fake"]


def sse(text: str) -> list[tuple[str, str]]:
    """(event, data) pairs of an SSE body."""
    events, name = [], "message"
    for line in text.splitlines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            events.append((name, line[5:].strip()))
            name = "message"
    return events


# ---------------------------------------------------------------- /v1

V1_MODELS = [
    MODEL,
    "prompt-engineer",
    "reason:direct",
    "reason:cot",
    "reason:cot_sc",
    "reason:tot",
    "chat",
    "prompt_lab",
    "code",
]


@pytest.mark.parametrize("model", V1_MODELS)
def test_v1_answers_the_typed_status_for_every_model_id(apps: dict[str, TestClient], fault: str, model: str) -> None:
    client, code = client_for(apps, fault), FAULTS[fault]
    body = {"model": model, "messages": [{"role": "user", "content": QUESTION}]}
    response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == STATUS[code], response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert error["type"] == ("invalid_request_error" if code == "context_length_exceeded" else "server_error")
    assert "Traceback" not in response.text
    assert client.get("/health").status_code == 200


@pytest.mark.parametrize("model", [MODEL, "chat", "reason:cot_sc"])
def test_v1_stream_ends_with_the_typed_error(apps: dict[str, TestClient], fault: str, model: str) -> None:
    """Early faults answer with the status; a fault after the first tokens ends the stream with the error."""
    client, code = client_for(apps, fault), FAULTS[fault]
    body = {"model": model, "messages": [{"role": "user", "content": QUESTION}], "stream": True}
    response = client.post("/v1/chat/completions", json=body)
    if response.status_code == 200:
        data = [d for _, d in sse(response.text)]
        assert "[DONE]" not in data
        error = json.loads(data[-1])["error"]
    else:
        assert response.status_code == STATUS[code], response.text
        error = response.json()["error"]
    assert error["code"] == code
    assert client.get("/health").status_code == 200


# ---------------------------------------------------------------- runs API

RUN_INPUTS = {
    "reason:direct": {"question": QUESTION, "strategy": "direct"},
    "reason:cot_sc": {"question": QUESTION, "strategy": "cot_sc", "config": {"n": 3}},
    "reason:tot": {"question": QUESTION, "strategy": "tot"},
    "chat": {"messages": [{"role": "user", "content": QUESTION}]},
    "chat:prompt-engineer": {"messages": [{"role": "user", "content": QUESTION}], "agent": "prompt-engineer"},
}


def assert_run_failed(client: TestClient, thread_id: str, code: str) -> None:
    [run] = client.get(f"/threads/{thread_id}/runs").json()
    assert run["status"] == "error" and run["error"]["code"] == code, run
    assert client.get(f"/threads/{thread_id}").json()["status"] == "error"
    assert client.get("/health").status_code == 200


def new_thread(client: TestClient) -> str:
    return str(client.post("/threads", json={}).json()["thread_id"])


@pytest.mark.parametrize("entry", list(RUN_INPUTS))
def test_runs_wait_marks_the_run_error_with_the_code(apps: dict[str, TestClient], fault: str, entry: str) -> None:
    client, code = client_for(apps, fault), FAULTS[fault]
    thread = new_thread(client)
    body = {"assistant_id": entry.split(":")[0], "input": RUN_INPUTS[entry]}
    response = client.post(f"/threads/{thread}/runs/wait", json=body)
    assert response.status_code == 200  # LangGraph Server's shape: the failure is the body's __error__
    assert response.json()["__error__"]["code"] == code
    assert_run_failed(client, thread, code)


def test_runs_stream_ends_with_an_error_event(apps: dict[str, TestClient], fault: str) -> None:
    client, code = client_for(apps, fault), FAULTS[fault]
    thread = new_thread(client)
    body = {"assistant_id": "reason", "input": RUN_INPUTS["reason:cot_sc"], "stream_mode": ["values", "custom"]}
    response = client.post(f"/threads/{thread}/runs/stream", json=body)
    name, data = sse(response.text)[-1]
    assert name == "error" and json.loads(data)["code"] == code
    assert_run_failed(client, thread, code)


def test_background_run_and_join(apps: dict[str, TestClient], fault: str) -> None:
    client, code = client_for(apps, fault), FAULTS[fault]
    thread = new_thread(client)
    run = client.post(f"/threads/{thread}/runs", json={"assistant_id": "chat", "input": RUN_INPUTS["chat"]}).json()
    joined = client.get(f"/threads/{thread}/runs/{run['run_id']}/join")
    assert joined.json()["__error__"]["code"] == code
    assert client.get(f"/threads/{thread}/runs/{run['run_id']}").json()["error"]["code"] == code
    assert_run_failed(client, thread, code)


# ---------------------------------------------------------------- CLI


@pytest.mark.parametrize("strategy", ["direct", "cot_sc"])
def test_cli_prints_one_line_and_exits_1(
    ollama_server: HTTPServer, closed_host: str, fault: str, strategy: str, tmp_path: Path
) -> None:
    host = closed_host if fault == "down" else ollama_server.url_for("/").rstrip("/")
    result = run_cli(
        "run",
        "reason",
        "--input",
        json.dumps({"question": QUESTION}),
        "--strategy",
        strategy,
        "--n",
        "3",
        timeout=120,
        THINKROOM_BACKEND="ollama",
        OLLAMA_HOST=host,
        THINKROOM_OLLAMA_TIMEOUT_S=str(TIMEOUT_S),
        THINKROOM_OLLAMA_CONNECT_TIMEOUT_S=str(TIMEOUT_S),
        THINKROOM_CHECKPOINT_PATH=str(tmp_path / "checkpoints.db"),
        THINKROOM_DATABASE_URL=f"sqlite:///{tmp_path}/thinkroom.db",
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {FAULTS[fault]}: "), result.stderr
