"""AutoGen adapter: personas, tools and the coding team on AutoGen 0.7, over the model gateway.

Importing AutoGen is slow, so this package imports it only when one of the names below is
first used (PEP 562); `agents.autogen_adapter.errors` never imports it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import AgentRunError

if TYPE_CHECKING:
    from .build import build_agent
    from .client import GatewayChatCompletionClient
    from .code_executor import SandboxCodeExecutor
    from .executor import SandboxExecutorAgent
    from .run import run_persona_autogen
    from .teams import CodingResult, run_coding_team
    from .tools import concept_function_tools

_LAZY = {
    "GatewayChatCompletionClient": "client",
    "concept_function_tools": "tools",
    "build_agent": "build",
    "SandboxExecutorAgent": "executor",
    "SandboxCodeExecutor": "code_executor",
    "run_persona_autogen": "run",
    "CodingResult": "teams",
    "run_coding_team": "teams",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AgentRunError",
    "CodingResult",
    "GatewayChatCompletionClient",
    "SandboxCodeExecutor",
    "SandboxExecutorAgent",
    "build_agent",
    "concept_function_tools",
    "run_coding_team",
    "run_persona_autogen",
]
