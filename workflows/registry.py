"""Every workflow by name: the server, CLI and benches compile them from here."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langgraph.graph import StateGraph

from workflows.graphs import arena, chat, code, eval, lesson, prompt_lab, reason


@dataclass(frozen=True)
class WorkflowSpec:
    """A named workflow: how to build its (uncompiled) graph, what it does, and how a chat drives it.

    The chat fields are explicit so `/v1` never guesses: `messages_key` receives the whole
    history, `question_key` the last user message, `agent_key` a persona's name; the answer is
    read from `answer_key`. `check_input` adds checks the input schema cannot express.
    `paused_answer_key` is what a stateless chat gets from a run paused for input, and
    `streams_answer` is set when the workflow's `token` events are the answer itself (one
    streamed reply); other workflows stream intermediate text, so clients get the answer at the end.
    """

    name: str
    description: str
    build: Callable[[], StateGraph[Any, Any, Any, Any]]
    strategies: list[str] = field(default_factory=list)
    question_key: str | None = "question"
    messages_key: str | None = None
    agent_key: str | None = None
    answer_key: str = "answer"
    check_input: Callable[[dict[str, Any]], None] | None = None
    streams_answer: bool = False
    paused_answer_key: str | None = None

    def chat_input(
        self, history: list[dict[str, Any]], question: str, *, agent: str | None = None, strategy: str | None = None
    ) -> dict[str, Any]:
        """The workflow input for a chat: its declared keys filled from the messages."""
        graph_input: dict[str, Any] = {}
        if self.messages_key:
            graph_input[self.messages_key] = history
        if self.question_key:
            graph_input[self.question_key] = question
        if agent is not None:
            if not self.agent_key:
                raise ValueError(f"workflow {self.name!r} does not run personas")
            graph_input[self.agent_key] = agent
        if strategy is not None:
            graph_input["strategy"] = strategy
        return graph_input


WORKFLOWS: dict[str, WorkflowSpec] = {
    "chat": WorkflowSpec(
        "chat",
        "One agent turn over the thread's history.",
        chat.build,
        question_key=None,
        messages_key="messages",
        agent_key="agent",
        streams_answer=True,
    ),
    "lesson": WorkflowSpec(
        "lesson",
        "Explain a concept with a computed example, pause for quiz answers, then grade them.",
        lesson.build,
        question_key="concept",
        paused_answer_key="explanation",
        check_input=lesson.check_input,
    ),
    "prompt_lab": WorkflowSpec(
        "prompt_lab",
        "Rewrite a prompt with the seven tricks and compare both prompts' answers; or, with strategy 'search', "
        "search variants by technique and keep the one the evaluator scores highest.",
        prompt_lab.build,
        question_key="prompt",
        check_input=prompt_lab.check_input,
    ),
    "reason": WorkflowSpec(
        "reason",
        "Answer a question (or a Game of 24 / GSM8K item) with direct, cot, cot_sc or tot, keeping the trace.",
        reason.build,
        strategies=reason.STRATEGIES,
        check_input=reason.check_input,
    ),
    "code": WorkflowSpec(
        "code",
        "The AutoGen coding team writes, runs (sandboxed) and reviews code; or, with strategy 'tree', the coder, "
        "the sandbox and the evaluator search a tree of candidates until the tests pass.",
        code.build,
        question_key="task",
        check_input=code.check_input,
    ),
    "eval": WorkflowSpec(
        "eval",
        "Score a benchmark suite (humaneval, gsm8k, game24, quiz, a JSONL file) with reference, strategy and agent "
        "columns; checkpointed after every item.",
        eval.build,
        question_key="suite",
        check_input=eval.check_input,
    ),
    "arena": WorkflowSpec(
        "arena",
        "Compare models or agents blind on the same prompts: every pair judged by a verifier or the evaluator; "
        "Bradley-Terry ratings with intervals.",
        arena.build,
        question_key="suite",
        check_input=arena.check_input,
    ),
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
