"""OpenAI's response bodies: one `chat.completion`, or an SSE stream of `chat.completion.chunk` events.

A stream waits briefly for the run's first event so early faults (no backend, a missing
model) still get an HTTP status; later faults end the stream with an error payload.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from sse_starlette.sse import ServerSentEvent

from server.openai.errors import as_openai_error
from server.openai.running import Event, Finish
from server.security import openai_error

log = logging.getLogger("thinkroom.openai")


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


async def first_event(events: AsyncIterator[Event], wait_s: float) -> asyncio.Task[Event] | Event | None:
    """Wait up to `wait_s` for the first event so early faults (no backend, missing model) get an HTTP status.

    Returns the event, None for an empty run, or the still-pending task for slow runs.
    """
    task: asyncio.Task[Event] = asyncio.ensure_future(anext(events))  # type: ignore[arg-type]
    done, _ = await asyncio.wait({task}, timeout=wait_s)
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
