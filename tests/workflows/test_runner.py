"""The shared workflow runner: input checks before a run, the registry's chat declarations, one
compile per process, usage from the ledger scope, and the failure contract."""

from __future__ import annotations

from typing import Any

import pytest

from agents.errors import AgentRunError
from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.errors import BackendUnavailable, ModelNotFound
from agents.llm.gateway import Gateway
from workflows.context import WorkflowContext
from workflows.registry import WORKFLOWS, get_workflow
from workflows.runner import InvalidInput, RunReport, check_input, compiled, failure, fault_of, run_workflow

QUESTION = "How many apples are 2 + 3 apples?"


class DeadBackend(ScriptedBackend):
    """Every model call fails as an unreachable Ollama would."""

    async def chat(self, *args: Any, **kwargs: Any) -> Any:
        raise BackendUnavailable("cannot reach Ollama at http://127.0.0.1:9", backend="ollama", model="m")


def dead_gateway() -> Gateway:
    return Gateway(DeadBackend([{"pattern": ".", "response": "unused"}]))


@pytest.mark.parametrize(
    ("workflow", "value", "field"),
    [
        ("reason", {}, "question"),
        ("reason", {"question": 3}, "question"),
        ("reason", {"question": "q", "strategy": "nope"}, "strategy"),
        ("reason", {"question": "q", "strategy": "cot_sc", "config": {"n": -3}}, "config"),
        ("chat", {"messages": "hi"}, "messages"),
        ("code", {"task": "x", "max_messages": "many"}, "max_messages"),
        ("chat", [1, 2], ""),
    ],
)
def test_invalid_input_names_the_field(workflow: str, value: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_input(get_workflow(workflow), compiled(workflow), value)
    assert raised.value.field == field
    assert str(raised.value).startswith(f"input.{field}:" if field else "input:")


def test_valid_input_and_resumes_pass() -> None:
    check_input(get_workflow("reason"), compiled("reason"), {"question": "q", "strategy": "cot_sc", "config": {"n": 3}})
    check_input(get_workflow("reason"), compiled("reason"), {"task": "game24", "index": 900})
    check_input(get_workflow("chat"), compiled("chat"), None)


def test_each_workflow_declares_its_chat_input_and_answer_key() -> None:
    history = [{"role": "user", "content": "softmax"}]
    assert WORKFLOWS["chat"].chat_input(history, "softmax", agent="tutor") == {"messages": history, "agent": "tutor"}
    assert WORKFLOWS["reason"].chat_input(history, "q", strategy="tot") == {"question": "q", "strategy": "tot"}
    assert WORKFLOWS["lesson"].chat_input(history, "softmax") == {"concept": "softmax"}
    assert WORKFLOWS["prompt_lab"].chat_input(history, "p") == {"prompt": "p"}
    assert WORKFLOWS["code"].chat_input(history, "fizzbuzz") == {"task": "fizzbuzz"}
    assert {spec.answer_key for spec in WORKFLOWS.values()} == {"answer"}
    assert [name for name, spec in WORKFLOWS.items() if spec.streams_answer] == ["chat"]  # one reply, streamed
    assert WORKFLOWS["lesson"].paused_answer_key == "explanation"
    with pytest.raises(ValueError, match="does not run personas"):
        WORKFLOWS["reason"].chat_input(history, "q", agent="tutor")


def test_graphs_compile_once_per_process() -> None:
    assert compiled("reason") is compiled("reason")
    assert compiled("chat") is not compiled("reason")


async def test_usage_is_collected_from_the_ledger_scope() -> None:
    gateway = Gateway(ScriptedBackend([{"pattern": "apples", "response": "Answer: 5"}]))
    parts: list[tuple[str, Any]] = []
    report = await run_workflow(
        get_workflow("reason"),
        compiled("reason"),
        {"question": QUESTION, "strategy": "cot_sc", "config": {"n": 3, "early_stop": False}},
        context=WorkflowContext(gateway),
        stream_mode=["custom"],
        on_part=lambda mode, chunk: parts.append((mode, chunk)),
    )
    assert report.values is not None and report.values["answer"] == "5"
    assert len(report.usage) == 3 and not report.faults
    assert parts and {mode for mode, _ in parts} == {"custom"}  # values are tracked, not passed on


@pytest.mark.parametrize("strategy", ["direct", "cot", "cot_sc", "tot"])
async def test_every_strategy_fails_with_the_typed_error_when_every_call_fails(strategy: str) -> None:
    report = RunReport()
    with pytest.raises(BackendUnavailable, match="cannot reach Ollama"):
        await run_workflow(
            get_workflow("reason"),
            compiled("reason"),
            {"question": QUESTION, "strategy": strategy},
            context=WorkflowContext(dead_gateway()),
            stream_mode=[],
            on_part=lambda mode, chunk: None,
            report=report,
        )
    assert report.faults and not report.usage


def test_failure_maps_an_agent_error_through_its_cause() -> None:
    cause = ModelNotFound("model 'x' is not available; run: ollama pull x", backend="ollama", model="x")
    wrapped = AgentRunError.from_gateway(cause)
    assert fault_of(wrapped) is cause
    try:
        try:
            raise wrapped
        except AgentRunError as exc:
            raise RuntimeError("the crew stopped") from exc
    except RuntimeError as outer:
        assert fault_of(outer) is cause
        assert failure(outer) == {
            "error": "ModelNotFound",
            "code": "model_not_found",
            "message": cause.message,
            "backend": "ollama",
            "model": "x",
        }
    assert failure(ValueError("boom")) == {"error": "ValueError", "message": "boom"}
