"""OpenAI-compatible API (`/v1/models`, `/v1/chat/completions`) so any OpenAI client can talk to thinkroom.

The thin handlers only: the request schema, error mapping, model-id resolution, running a
target and the SSE stream live in `server.openai`. Errors use OpenAI's shape
{"error": {"message", "type", "param", "code"}} on these routes only.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sse_starlette.sse import EventSourceResponse

from agents.llm.gateway import Gateway
from server.openai.errors import OpenAIError, OpenAIRoute
from server.openai.running import Finish, run_target
from server.openai.schemas import ChatCompletionRequest, chat_messages, generation_options, json_schema_of
from server.openai.sse import ChunkMaker, completion_body, first_event, sse_events
from server.openai.targets import agent_and_workflow_ids, resolve

CREATED = int(time.time())
#: How long a stream waits for the run's first event before answering 200 (read per request).
FIRST_EVENT_WAIT_S = 5.0
KNOWN = {"/v1/models": {"GET"}, "/v1/chat/completions": {"POST"}}

router = APIRouter(prefix="/v1", tags=["openai"], route_class=OpenAIRoute)


def model_entry(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": CREATED, "owned_by": "thinkroom"}


@router.get("/models")
async def list_models(request: Request) -> dict[str, Any]:
    """Personas, workflow:strategy pairs and the backend's models, in OpenAI's list shape."""
    gateway: Gateway = request.app.state.gateway
    ids = agent_and_workflow_ids()
    for info in await gateway.list_models():
        if info.name not in ids:
            ids.append(info.name)
    if gateway.default_model and gateway.default_model not in ids:
        ids.append(gateway.default_model)
    return {"object": "list", "data": [model_entry(i) for i in ids]}


@router.get("/models/{model_id:path}")
async def get_model(request: Request, model_id: str) -> dict[str, Any]:
    """One model id, or 404 if nothing answers to it."""
    await resolve(model_id, request.app.state.gateway)
    return model_entry(model_id)


@router.post("/chat/completions", response_model=None)
async def chat_completions(request: Request, body: ChatCompletionRequest) -> Response | dict[str, Any]:
    """A chat completion from a persona, a workflow strategy or a model; `stream: true` answers with SSE."""
    gateway: Gateway = request.app.state.gateway
    if body.n not in (None, 1):
        raise OpenAIError(400, "only n=1 is supported", param="n")
    if body.tools:
        raise OpenAIError(400, "tool calling is not supported; use a persona model for tool use", param="tools")
    options = generation_options(body)
    messages = chat_messages(body)
    schema = json_schema_of(body.response_format)
    target = await resolve(body.model, gateway)
    fingerprint = f"thinkroom-{gateway.backend_name}"
    if schema is not None and (target.kind != "model" or body.stream):
        raise OpenAIError(
            400, "response_format is supported for non-streaming model chats only", param="response_format"
        )
    if schema is not None or (target.kind == "model" and not body.stream):
        result = await gateway.chat(messages, model=target.name, options=options, json_schema=schema)
        finish = Finish(result.finish_reason, result.usage.prompt_tokens, result.usage.completion_tokens)
        text = result.text if schema is None else json.dumps(result.parsed)  # clean JSON, without code fences
        return completion_body(f"chatcmpl-{uuid.uuid4().hex}", body.model, text, finish, fingerprint)
    events = run_target(target, messages, options, gateway)
    if not body.stream:
        pieces, finish = [], Finish("stop", 0, 0)
        async for event in events:
            if isinstance(event, Finish):
                finish = event
            else:
                pieces.append(event)
        return completion_body(f"chatcmpl-{uuid.uuid4().hex}", body.model, "".join(pieces), finish, fingerprint)
    first = await first_event(events, FIRST_EVENT_WAIT_S)
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    maker = ChunkMaker(body.model, fingerprint, include_usage)
    return EventSourceResponse(sse_events(events, first, maker), ping=15)


@router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], include_in_schema=False)
async def not_found(request: Request, path: str) -> Response:
    """Unknown /v1 paths and wrong methods, in OpenAI's shape (405 names the allowed method)."""
    allowed = KNOWN.get(request.url.path.rstrip("/"))
    if allowed:
        raise OpenAIError(
            405, f"method {request.method} not allowed; use {', '.join(sorted(allowed))}", code="method_not_allowed"
        )
    raise OpenAIError(404, f"unknown endpoint {request.method} /v1/{path}", code="unknown_url")
