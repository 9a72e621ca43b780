"""What every workflow node can reach at run time (not checkpointed: it is rebuilt per process)."""

from __future__ import annotations

from dataclasses import dataclass

from agents.llm.gateway import Gateway


@dataclass
class WorkflowContext:
    """LangGraph run context: the model gateway the nodes call."""

    gateway: Gateway
