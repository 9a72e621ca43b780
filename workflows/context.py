"""What every workflow node can reach at run time (not checkpointed: it is rebuilt per process).

A user-created assistant (or a single run) may set `model`, `options`, `strategy`,
`strategy_config` and `agent` in its context; nodes see a gateway already carrying the
model and options, and the graphs fall back to the strategy and agent when the input
does not name them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions


@dataclass
class WorkflowContext:
    """LangGraph run context: the model gateway plus an assistant's defaults."""

    gateway: Gateway
    model: str | None = None
    options: dict[str, Any] | None = None
    strategy: str | None = None
    strategy_config: dict[str, Any] = field(default_factory=dict)
    agent: str | None = None

    def __post_init__(self) -> None:
        options = GenerationOptions.model_validate(self.options) if self.options else None
        self.gateway = self.gateway.with_defaults(model=self.model, options=options)
