"""OpenAI-compatible API (`/v1/models`, `/v1/chat/completions`) so any OpenAI client can talk to thinkroom.

A model id names what answers:
  * a persona (`tutor`, `coder`, ...): one agent turn through the `chat` workflow;
  * `WORKFLOW:STRATEGY` (e.g. `reason:cot_sc`): that workflow with that strategy, for every
    strategy the registry lists at request time; a workflow without strategies is its bare name;
  * one of the backend's own models (or the default model): a direct chat through the gateway.
Request options become `GenerationOptions`. For personas and workflows they are the
run's default options, so a persona's or strategy's own explicit settings still win.
Errors use OpenAI's shape {"error": {"message", "type", "param", "code"}} on these routes only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sse_starlette.sse import EventSourceResponse, ServerSentEvent
from starlette.exceptions import HTTPException

from agents.llm.gateway import Gateway
from agents.llm.types import ChatMessage, GenerationOptions
from agents.personas import PERSONAS
from server.errors import gateway_status
from server.security import openai_error
from workflows.context import WorkflowContext
from workflows.registry import WORKFLOWS
from workflows.runner import InvalidInput, RunReport, check_input, compiled, fault_of, run_workflow

log = logging.getLogger("thinkroom.openai")
CREATED = int(time.time())
FIRST_EVENT_WAIT_S = 5.0

# ---------------------------------------------------------------- errors


class OpenAIError(Exception):
    """An error answered in OpenAI's shape with `status`."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type_, param, code


def error_type(status: int) -> str:
    if status == 401:
        return "authentication_error"
    if status == 404:
        return "invalid_request_error"
    return "invalid_request_error" if status < 500 and status != 424 else "server_error"


def param_name(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """('body', 'messages', 0, 'content') -> 'messages[0].content'."""
    name = ""
    for part in loc:
        if part in ("body", "query", "path") and not name:
            continue
        if isinstance(part, int):
            name += f"[{part}]"
        elif not isinstance(part, str) or part.startswith(("function-", "union[", "str", "list[")):
            continue
        else:
            name += ("." if name else "") + part
    return name or None


def as_openai_error(exc: BaseException) -> OpenAIError:
    """Any failure on a /v1 route as an OpenAIError; never a traceback."""
    if isinstance(exc, OpenAIError):
        return exc
    if isinstance(exc, (RequestValidationError, ValidationError)):
        errors = list(exc.errors())
        first = errors[0] if errors else {}
        if first.get("type") == "json_invalid":
            return OpenAIError(400, f"the request body is not valid JSON: {first.get('msg', '')}", code="invalid_json")
        param = param_name(first.get("loc", ()))
        message = "; ".join(f"{param_name(e.get('loc', ())) or 'body'}: {e.get('msg', 'invalid')}" for e in errors)
        return OpenAIError(400, f"invalid request: {message}", param=param, code="invalid_value")
    gateway_error = fault_of(exc)  # an agent's or workflow's failure answers as the backend fault behind it
    if gateway_error is not None:
        status = gateway_status(gateway_error)
        return OpenAIError(status, gateway_error.message, type_=error_type(status), code=gateway_error.code)
    if isinstance(exc, HTTPException):  # starlette's: FastAPI raises it for a body that is not UTF-8
        code = "invalid_body" if exc.status_code == 400 else None
        return OpenAIError(exc.status_code, str(exc.detail), type_=error_type(exc.status_code), code=code)
    log.error("unhandled error on an OpenAI route", exc_info=exc)
    return OpenAIError(500, f"internal error: {type(exc).__name__}", type_="server_error", code="internal_error")


def error_response(exc: BaseException) -> JSONResponse:
    err = as_openai_error(exc)
    return JSONResponse(openai_error(err.message, err.type, err.code, err.param), status_code=err.status)


class OpenAIRoute(APIRoute):
    """Routes whose every failure (validation, gateway, unexpected) is answered in OpenAI's shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:  # noqa: BLE001 - every error becomes an OpenAI error body
                return error_response(exc)

        return guarded


router = APIRouter(prefix="/v1", tags=["openai"], route_class=OpenAIRoute)

# ---------------------------------------------------------------- request


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class InMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """The subset of OpenAI's request thinkroom honours; unknown fields are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1)
    messages: list[InMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    stop: str | list[str] | None = None
    seed: int | None = None
    presence_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    frequency_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    n: int | None = Field(default=None, ge=1)
    tools: list[dict[str, Any]] | None = None
    response_format: dict[str, Any] | None = None


def generation_options(req: ChatCompletionRequest) -> GenerationOptions:
    stop = [req.stop] if isinstance(req.stop, str) else req.stop
    return GenerationOptions(
        temperature=req.temperature,
        top_p=req.top_p,
        max_tokens=req.max_completion_tokens or req.max_tokens,
        stop=stop or None,
        seed=req.seed,
        presence_penalty=req.presence_penalty,
        frequency_penalty=req.frequency_penalty,
    )


def chat_messages(req: ChatCompletionRequest) -> list[ChatMessage]:
    """OpenAI messages as gateway messages: developer→system, function→tool, text parts joined."""
    result = []
    for i, msg in enumerate(req.messages):
        if isinstance(msg.content, list):
            texts = []
            for j, part in enumerate(msg.content):
                if part.type not in ("text", "input_text") or part.text is None:
                    raise OpenAIError(
                        400,
                        f"only text content is supported, got a {part.type!r} part",
                        param=f"messages[{i}].content[{j}]",
                        code="unsupported_content",
                    )
                texts.append(part.text)
            content = "\n".join(texts)
        else:
            content = msg.content or ""
        role = {"developer": "system", "function": "tool"}.get(msg.role, msg.role)
        result.append(ChatMessage(role=role, content=content))  # type: ignore[arg-type]
    return result


def json_schema_of(response_format: dict[str, Any] | None) -> dict[str, Any] | None:
    """The JSON schema a `response_format` asks for (json_object means any object)."""
    kind = (response_format or {}).get("type", "text")
    if kind == "text":
        return None
    if kind == "json_object":
        return {"type": "object"}
    if kind == "json_schema":
        schema = (response_format or {}).get("json_schema", {}).get("schema")
        if isinstance(schema, dict):
            return schema
        raise OpenAIError(400, "response_format.json_schema.schema must be an object", param="response_format")
    raise OpenAIError(400, f"unsupported response_format type {kind!r}", param="response_format")


# ---------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    """What answers a model id."""

    kind: Literal["model", "persona", "workflow"]
    name: str
    strategy: str | None = None


def agent_and_workflow_ids() -> list[str]:
    """Personas, then `workflow:strategy` pairs (bare names for workflows without strategies)."""
    ids = list(PERSONAS)
    for spec in WORKFLOWS.values():
        if spec.strategies:
            ids += [f"{spec.name}:{s}" for s in spec.strategies]
        elif spec.name not in PERSONAS:
            ids.append(spec.name)
    return ids


async def resolve(model: str, gateway: Gateway) -> Target:
    """Map a model id to a target; unknown ids are OpenAI's 404 `model_not_found`."""
    workflow, sep, strategy = model.partition(":")
    spec = WORKFLOWS.get(workflow)
    if sep and spec is not None and strategy in spec.strategies:
        return Target("workflow", workflow, strategy)
    if model in PERSONAS:
        return Target("persona", model)
    if spec is not None and not sep and not spec.strategies:
        return Target("workflow", workflow)
    if model == gateway.default_model:
        return Target("model", model)
    names = {m.name for m in await gateway.list_models()}
    if model in names or f"{model}:latest" in names:
        return Target("model", model)
    raise OpenAIError(
        404,
        f"The model `{model}` does not exist; GET /v1/models lists the agents, workflows and models",
        param="model",
        code="model_not_found",
    )


@dataclass
class Finish:
    """The end of an answer: why it stopped and what it cost."""

    reason: str
    prompt_tokens: int
    completion_tokens: int


Event = str | Finish


async def run_graph(
    target: Target, messages: list[ChatMessage], options: GenerationOptions, base: Gateway
) -> AsyncIterator[Event]:
    """A persona or workflow run through the shared workflow runner.

    The registry says which input keys the chat fills and which state key holds the answer.
    Only a workflow whose registry entry says its tokens are the answer streams them (and only
    with no agent and no strategy): personas, strategies and multi-call workflows also stream
    intermediate text (tool calls, fixes, samples, drafts), so they send the final answer at
    the end, and SSE pings keep the connection alive meanwhile.
    """
    if not messages or messages[-1].role != "user":
        raise OpenAIError(400, f"{target.name} needs the last message to have role 'user'", param="messages")
    spec = WORKFLOWS["chat" if target.kind == "persona" else target.name]
    graph = compiled(spec.name)
    agent = target.name if target.kind == "persona" else None
    graph_input = spec.chat_input(
        [m.model_dump() for m in messages], messages[-1].content, agent=agent, strategy=target.strategy
    )
    try:
        check_input(spec, graph, graph_input)
    except InvalidInput as exc:
        raise OpenAIError(400, str(exc), param="messages", code="invalid_value") from None
    context = WorkflowContext(base, options=options.model_dump(exclude_none=True) or None)
    stream_tokens = spec.streams_answer and target.kind == "workflow" and target.strategy is None
    parts: asyncio.Queue[tuple[str, Any] | None] = asyncio.Queue()
    report = RunReport()

    async def drive() -> None:
        # its own task: the usage scope is set and reset in one context whoever consumes the events
        try:
            await run_workflow(
                spec,
                graph,
                graph_input,
                context=context,
                stream_mode=["custom"],
                on_part=lambda mode, chunk: parts.put_nowait((mode, chunk)),
                report=report,
            )
        finally:
            parts.put_nowait(None)

    task = asyncio.create_task(drive())
    streamed: list[str] = []
    try:
        while (part := await parts.get()) is not None:
            chunk = part[1]
            if stream_tokens and isinstance(chunk, dict) and chunk.get("kind") == "token":
                text = str(chunk.get("data", {}).get("text", ""))
                if text:
                    streamed.append(text)
                    yield text
        await task  # the run's failure, if any, is raised here
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    answer = report.answer(spec)
    sent = "".join(streamed)
    if answer.startswith(sent) and len(answer) > len(sent):
        yield answer[len(sent) :]
    elif not sent and not answer:
        log.warning("workflow %s finished without %r", spec.name, spec.answer_key)
    yield Finish(
        "stop",
        sum(u.prompt_tokens for u in report.usage),
        sum(u.completion_tokens for u in report.usage),
    )


async def run_model(
    model: str, messages: list[ChatMessage], options: GenerationOptions, gateway: Gateway
) -> AsyncIterator[Event]:
    async for chunk in gateway.stream(messages, model=model, options=options):
        if chunk.text:
            yield chunk.text
        if chunk.done:
            usage = chunk.usage
            yield Finish(
                chunk.finish_reason or "stop",
                usage.prompt_tokens if usage else 0,
                usage.completion_tokens if usage else 0,
            )


def run_target(
    target: Target, messages: list[ChatMessage], options: GenerationOptions, gateway: Gateway
) -> AsyncIterator[Event]:
    if target.kind == "model":
        return run_model(target.name, messages, options, gateway)
    return run_graph(target, messages, options, gateway)


# ---------------------------------------------------------------- responses


def usage_body(finish: Finish) -> dict[str, int]:
    return {
        "prompt_tokens": finish.prompt_tokens,
        "completion_tokens": finish.completion_tokens,
        "total_tokens": finish.prompt_tokens + finish.completion_tokens,
    }


def finish_reason(reason: str) -> str:
    return reason if reason in ("stop", "length") else "stop"


def completion_body(cid: str, model: str, text: str, finish: Finish, fingerprint: str) -> dict[str, Any]:
    return {
        "id": cid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": fingerprint,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": finish_reason(finish.reason),
            }
        ],
        "usage": usage_body(finish),
    }


class ChunkMaker:
    """Builds `chat.completion.chunk` objects that share one id, model and timestamp."""

    def __init__(self, model: str, fingerprint: str, include_usage: bool) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.model, self.fingerprint, self.include_usage = model, fingerprint, include_usage
        self.created = int(time.time())

    def chunk(self, choices: list[dict[str, Any]], usage: dict[str, int] | None = None) -> str:
        body: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": self.fingerprint,
            "choices": choices,
        }
        if self.include_usage:
            body["usage"] = usage
        return json.dumps(body)

    def delta(self, delta: dict[str, Any], finish: str | None = None) -> str:
        return self.chunk([{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}])


async def first_event(events: AsyncIterator[Event]) -> asyncio.Task[Event] | Event | None:
    """Wait briefly for the first event so early faults (no backend, missing model) get an HTTP status.

    Returns the event, None for an empty run, or the still-pending task for slow runs.
    """
    task: asyncio.Task[Event] = asyncio.ensure_future(anext(events))  # type: ignore[arg-type]
    done, _ = await asyncio.wait({task}, timeout=FIRST_EVENT_WAIT_S)
    if not done:
        return task
    try:
        return task.result()
    except StopAsyncIteration:
        return None


async def resumed(events: AsyncIterator[Event], first: asyncio.Task[Event] | Event | None) -> AsyncIterator[Event]:
    """The run's events again, starting with the one `first_event` already took."""
    if isinstance(first, asyncio.Task):
        try:
            first = await first
        except StopAsyncIteration:
            return
    if first is None:
        return
    yield first
    async for event in events:
        yield event


async def sse_events(
    events: AsyncIterator[Event], first: asyncio.Task[Event] | Event | None, maker: ChunkMaker
) -> AsyncIterator[ServerSentEvent]:
    """The SSE body: role chunk, content deltas, finish chunk, optional usage chunk, [DONE]; or an error payload."""
    try:
        yield ServerSentEvent(data=maker.delta({"role": "assistant", "content": ""}))
        finish = Finish("stop", 0, 0)
        async for event in resumed(events, first):
            if isinstance(event, Finish):
                finish = event
            elif event:
                yield ServerSentEvent(data=maker.delta({"content": event}))
        yield ServerSentEvent(data=maker.delta({}, finish_reason(finish.reason)))
        if maker.include_usage:
            yield ServerSentEvent(data=maker.chunk([], usage_body(finish)))
        yield ServerSentEvent(data="[DONE]")
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - a mid-stream fault becomes an error payload, never a crash
        err = as_openai_error(exc)
        log.warning("stream for %s ended with %s: %s", maker.model, err.code, err.message)
        yield ServerSentEvent(data=json.dumps(openai_error(err.message, err.type, err.code, err.param)))
    finally:
        if isinstance(first, asyncio.Task) and not first.done():
            first.cancel()


# ---------------------------------------------------------------- routes


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


def model_entry(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": CREATED, "owned_by": "thinkroom"}


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
    first = await first_event(events)
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    maker = ChunkMaker(body.model, fingerprint, include_usage)
    return EventSourceResponse(sse_events(events, first, maker), ping=15)


KNOWN = {"/v1/models": {"GET"}, "/v1/chat/completions": {"POST"}}


@router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], include_in_schema=False)
async def not_found(request: Request, path: str) -> Response:
    """Unknown /v1 paths and wrong methods, in OpenAI's shape (405 names the allowed method)."""
    allowed = KNOWN.get(request.url.path.rstrip("/"))
    if allowed:
        raise OpenAIError(
            405, f"method {request.method} not allowed; use {', '.join(sorted(allowed))}", code="method_not_allowed"
        )
    raise OpenAIError(404, f"unknown endpoint {request.method} /v1/{path}", code="unknown_url")
