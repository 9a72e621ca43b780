"""Running a target: a direct model chat through the gateway, or a persona/workflow through `workflows.runner`.

Both yield the same events: text pieces, then one `Finish` with the usage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from agents.llm.gateway import Gateway
from agents.llm.types import ChatMessage, GenerationOptions
from server.openai.errors import OpenAIError, run_error
from server.openai.targets import Target
from workflows.context import WorkflowContext
from workflows.registry import WORKFLOWS
from workflows.runner import InvalidInput, RunReport, check_input, compiled, run_workflow
from workflows.strategies.base import UsageTotals

log = logging.getLogger("thinkroom.openai")


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
        try:
            await task  # the run's failure, if any, is raised here
        except Exception as exc:  # re-raised, typed when it is an input problem
            typed = run_error(exc, spec.name)
            if typed is exc:
                raise
            raise typed from exc
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
    totals = UsageTotals.of(report.usage)  # the one sum of the run's ledger records
    yield Finish("stop", totals.prompt_tokens, totals.completion_tokens)


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
