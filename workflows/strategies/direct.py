"""Direct prompting: one greedy call asking for the answer alone (the no-reasoning baseline)."""

from __future__ import annotations

from typing import Any

from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions

from .answers import ANSWER_SCHEMA
from .base import Emit, Stopwatch, StrategyResult, emit_event, metered
from .config import CoTConfig, DirectConfig
from .personas import author, persona_step
from .tasks import Task


async def single_call(
    strategy: str,
    prompt: str,
    task: Task,
    gateway: Gateway,
    config: DirectConfig | CoTConfig,
    emit: Emit | None = None,
) -> StrategyResult:
    """One call, answer extracted (from JSON when `structured` and the model can), verified.

    A failed call raises its GatewayError: with a single sample there is nothing to degrade to.
    With a `proposer`, the answer is that persona's step (a failed turn raises its error too).
    """
    watch = Stopwatch()
    options = GenerationOptions(temperature=config.temperature, max_tokens=config.max_tokens, seed=config.seed)
    schema: dict[str, Any] | None = None
    who = author(config.proposer) if config.proposer is not None else {}
    if config.proposer is not None:
        reply, usage = await persona_step(config.proposer, "answer", prompt, gateway, options, emit=emit)
        if reply.failure is not None:
            raise reply.failure
        text, parsed, totals = reply.text, None, usage
    else:
        if config.structured and "json_schema" in (await gateway.model_info()).capabilities:
            schema = ANSWER_SCHEMA
        # one call is the whole strategy: its failure is the run's failure (GatewayError propagates)
        with metered() as meter:
            result = await gateway.chat(prompt, options=options, json_schema=schema)
        text, parsed, totals = result.text, result.parsed, meter.totals
    answer = task.extract(text, parsed=parsed)
    if answer is None and strategy == "direct" and text.strip():
        answer = text.strip().split("\n")[0].strip()  # asked for the answer alone: the reply is it
    result_ = StrategyResult(
        strategy=strategy,
        answer=answer,
        raw=text,
        verified=task.verify(answer),
        trace={"prompt": prompt, "structured": schema is not None, **who},
        usage=totals,
        wall_time_s=watch.elapsed(),
    )
    emit_event(emit, f"{strategy}.answer", {"answer": answer, "verified": result_.verified, **who})
    return result_


async def run_direct(
    task: Task, gateway: Gateway, config: DirectConfig | None = None, emit: Emit | None = None
) -> StrategyResult:
    """Answer with no reasoning; emits 'direct.answer'."""
    config = config or DirectConfig()
    return await single_call("direct", task.direct_prompt(), task, gateway, config, emit)


__all__ = ["run_direct", "single_call"]
