"""One entry point for any StrategyConfig, so callers dispatch on the config alone."""

from __future__ import annotations

from agents.llm.gateway import Gateway

from .base import Emit, StrategyResult
from .config import CoTConfig, CoTSCConfig, DirectConfig, StrategyConfig
from .cot import run_cot
from .cot_sc import run_cot_sc
from .direct import run_direct
from .tasks import Task
from .tot import run_tot


async def run_strategy(
    task: Task, gateway: Gateway, config: StrategyConfig, emit: Emit | None = None
) -> StrategyResult:
    if isinstance(config, DirectConfig):
        return await run_direct(task, gateway, config, emit)
    if isinstance(config, CoTConfig):
        return await run_cot(task, gateway, config, emit)
    if isinstance(config, CoTSCConfig):
        return await run_cot_sc(task, gateway, config, emit)
    return await run_tot(task, gateway, config, emit)


__all__ = ["run_strategy"]
