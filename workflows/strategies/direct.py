"""Direct prompting: one greedy call asking for the answer alone (the no-reasoning baseline)."""

from __future__ import annotations

from typing import Any

from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions

from .answers import ANSWER_SCHEMA
from .base import Emit, Stopwatch, StrategyResult, emit_event, metered
from .config import CoTConfig, DirectConfig
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
    """
    watch = Stopwatch()
    options = GenerationOptions(temperature=config.temperature, max_tokens=config.max_tokens, seed=config.seed)
    schema: dict[str, Any] | None = None
    if config.structured and "json_schema" in (await gateway.model_info()).capabilities:
        schema = ANSWER_SCHEMA
    # one call is the whole strategy: its failure is the run's failure (GatewayError propagates)
    with metered() as meter:
        result = await gateway.chat(prompt, options=options, json_schema=schema)
    text, parsed = result.text, result.parsed
    answer = task.extract(text, parsed=parsed)
    if answer is None and strategy == "direct" and text.strip():
        answer = text.strip().split("\n")[0].strip()  # asked for the answer alone: the reply is it
    result_ = StrategyResult(
        strategy=strategy,
        answer=answer,
        raw=text,
        verified=task.verify(answer),
        trace={"prompt": prompt, "structured": schema is not None},
        usage=meter.totals,
        wall_time_s=watch.elapsed(),
    )
    emit_event(emit, f"{strategy}.answer", {"answer": answer, "verified": result_.verified})
    return result_


async def run_direct(
    task: Task, gateway: Gateway, config: DirectConfig | None = None, emit: Emit | None = None
) -> StrategyResult:
    """Answer with no reasoning; emits 'direct.answer'."""
    config = config or DirectConfig()
    return await single_call("direct", task.direct_prompt(), task, gateway, config, emit)


__all__ = ["run_direct", "single_call"]
