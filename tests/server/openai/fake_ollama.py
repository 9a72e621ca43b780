"""pytest-httpserver playing Ollama: tags, show, chat (plain, streamed, failing) and pull."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

DETAILS = {"format": "gguf", "family": "llama", "families": ["llama"], "parameter_size": "3.2B"}


def ndjson(lines: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(line) + "\n" for line in lines)


def serve_models(server: HTTPServer, models: dict[str, list[str]]) -> None:
    """/api/tags lists `models` (name -> capabilities); /api/show describes each one."""
    tags = [
        {
            "name": n,
            "model": n,
            "modified_at": "2025-01-01T00:00:00Z",
            "size": 2_000_000_000 + i,
            "digest": f"d{i}",
            "details": DETAILS,
        }
        for i, n in enumerate(models)
    ]
    server.expect_request("/api/tags", method="GET").respond_with_json({"models": tags})

    def show(request: Request) -> Response:
        name = request.get_json().get("model")
        if name not in models:
            return Response(json.dumps({"error": f"model '{name}' not found"}), status=404)
        body = {
            "modelfile": "",
            "parameters": "",
            "template": "",
            "details": DETAILS,
            "model_info": {"general.architecture": "llama", "llama.context_length": 131072},
            "capabilities": models[name],
        }
        return Response(json.dumps(body), content_type="application/json")

    server.expect_request("/api/show", method="POST").respond_with_handler(show)


def chat_part(model: str, text: str, done: bool = False) -> dict[str, Any]:
    part: dict[str, Any] = {
        "model": model,
        "created_at": "2025-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": text},
        "done": done,
    }
    if done:
        part.update(done_reason="stop", prompt_eval_count=7, eval_count=3)
    return part


def serve_chat(server: HTTPServer, pieces: list[str], *, error_after: int | None = None, status: int = 200) -> None:
    """/api/chat answers `pieces` (joined, or streamed one per line); optionally an error line mid-stream."""

    def chat(request: Request) -> Response:
        body = request.get_json()
        model = body["model"]
        if status != 200:
            return Response(json.dumps({"error": f"model '{model}' not found, try pulling it first"}), status=status)
        if not body.get("stream"):
            return Response(json.dumps(chat_part(model, "".join(pieces), done=True)), content_type="application/json")
        lines = [chat_part(model, p) for p in pieces]
        if error_after is not None:
            lines = [*lines[:error_after], {"error": "model runner has unexpectedly stopped"}]
        else:
            lines.append(chat_part(model, "", done=True))
        return Response(ndjson(lines), content_type="application/x-ndjson")

    server.expect_request("/api/chat", method="POST").respond_with_handler(chat)


def read_sse(response: httpx.Response) -> Iterator[tuple[str, str]]:
    """(event, data) pairs from a streamed SSE response; comment lines (pings) are skipped."""
    event, data = "message", []
    for line in response.iter_lines():
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        yield event, "\n".join(data)
