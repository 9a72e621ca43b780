"""Chain of thought (Wei et al. 2022): one greedy chain ending in 'Answer: <answer>'."""

from __future__ import annotations

from agents.llm.gateway import Gateway

from .base import Emit, StrategyResult
from .config import CoTConfig
from .direct import single_call
from .tasks import Task


async def run_cot(
    task: Task, gateway: Gateway, config: CoTConfig | None = None, emit: Emit | None = None
) -> StrategyResult:
    """Step-by-step reasoning, then the extracted final answer; emits 'cot.answer'."""
    config = config or CoTConfig()
    return await single_call("cot", task.cot_prompt(), task, gateway, config, emit)


__all__ = ["run_cot"]
