"""Every workflow by name: the server, CLI and benches compile them from here."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langgraph.graph import StateGraph

from workflows.graphs import chat, code, lesson, prompt_lab, reason


@dataclass(frozen=True)
class WorkflowSpec:
    """A named workflow: how to build its (uncompiled) graph and what it does."""

    name: str
    description: str
    build: Callable[[], StateGraph[Any, Any, Any, Any]]
    strategies: list[str] = field(default_factory=list)


WORKFLOWS: dict[str, WorkflowSpec] = {
    "chat": WorkflowSpec("chat", "One agent turn over the thread's history.", chat.build),
    "lesson": WorkflowSpec(
        "lesson", "Explain a concept with a computed example, pause for quiz answers, then grade them.", lesson.build
    ),
    "prompt_lab": WorkflowSpec(
        "prompt_lab", "Rewrite a prompt with the seven tricks and compare both prompts' answers.", prompt_lab.build
    ),
    "reason": WorkflowSpec(
        "reason",
        "Answer a question (or a Game of 24 / GSM8K item) with direct, cot, cot_sc or tot, keeping the trace.",
        reason.build,
        strategies=reason.STRATEGIES,
    ),
    "code": WorkflowSpec("code", "The AutoGen coding team writes, runs (sandboxed) and reviews code.", code.build),
}


def get_workflow(name: str) -> WorkflowSpec:
    try:
        return WORKFLOWS[name]
    except KeyError:
        raise KeyError(f"unknown workflow {name!r}; choose one of {', '.join(WORKFLOWS)}") from None


def register_extra(path: str) -> WorkflowSpec:
    """Register a graph builder given as 'module:function' (like langgraph.json's graphs)."""
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise ValueError(f"expected 'module:function', got {path!r}")
    builder = getattr(importlib.import_module(module_name), attr)
    name = attr.removeprefix("build_") if attr != "build" else module_name.rsplit(".", 1)[-1]
    spec = WorkflowSpec(name, (builder.__doc__ or name).strip().splitlines()[0], builder)
    WORKFLOWS[name] = spec
    return spec
