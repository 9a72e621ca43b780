"""Single-persona AutoGen runs on the scripted backend, with the real bwrap sandbox for code."""

from __future__ import annotations

from typing import Any

import pytest

from agents.autogen_adapter.errors import AgentRunError
from agents.autogen_adapter.run import run_persona_autogen
from agents.llm import NoScriptedRule
from agents.personas import get_persona

from .conftest import (
    BROKEN_CODE,
    CODER_PROMPT,
    REVERSE_CODE,
    needs_bwrap,
    scripted_gateway,
)

TASK = "Write and run a function that reverses a string"


@needs_bwrap
async def test_coder_code_runs_in_the_sandbox_and_the_output_returns() -> None:
    gateway = scripted_gateway([{"pattern": CODER_PROMPT, "responses": [REVERSE_CODE, "It prints olleh. DONE"]}])
    events: list[tuple[str, dict[str, Any]]] = []
    reply = await run_persona_autogen(get_persona("coder"), TASK, gateway, on_event=lambda k, d: events.append((k, d)))
    assert reply.stop_reason == "done"
    assert "Output (exit code 0):\nolleh" in reply.text and "return s[::-1]" in reply.text
    execution = next(s for s in reply.steps if s.kind == "execution")
    assert execution.source == "executor" and execution.content == "exit code 0\nolleh\n"
    # the clean sandbox run ends the turn: the coder is not asked again (its DONE is never needed)
    assert [s.kind for s in reply.steps if s.source == "coder"] == ["message", "code"]
    executions = [d for k, d in events if k == "execution"]
    assert executions == [{"source": "executor", "exit_code": 0, "output": "olleh\n"}]
    tokens = "".join(d["text"] for k, d in events if k == "token" and d["source"] == "coder")
    assert "return s[::-1]" in tokens  # streamed token by token
    assert len(reply.usage) == 1 == len(gateway.ledger.records)


@needs_bwrap
async def test_coder_reads_the_error_and_fixes_it() -> None:
    rule = {"pattern": CODER_PROMPT, "responses": [BROKEN_CODE, REVERSE_CODE, "Fixed: it prints olleh. DONE"]}
    gateway = scripted_gateway([rule])
    reply = await run_persona_autogen(get_persona("coder"), TASK, gateway)
    first, second = [s for s in reply.steps if s.kind == "execution"]
    assert first.content.startswith("exit code 1") and "AttributeError" in first.content
    assert second.content == "exit code 0\nolleh\n"
    assert "Output (exit code 0):\nolleh" in reply.text and "s.reverse()" not in reply.text
    backend = gateway.backend
    assert "AttributeError" in backend.prompts[1]  # type: ignore[attr-defined]  # the coder saw the traceback
    assert reply.stop_reason == "done" and len(reply.usage) == 2  # the fix ran cleanly: no third call


@needs_bwrap
async def test_coder_that_never_says_done_stops_at_its_message_cap() -> None:
    coder = get_persona("coder").model_copy(update={"max_iterations": 2})
    silent = "```python\ndef reverse(s):\n    return s[::-1]\n```"  # runs cleanly but shows nothing
    gateway = scripted_gateway([{"pattern": CODER_PROMPT, "response": silent}])
    reply = await run_persona_autogen(coder, TASK, gateway)
    assert reply.stop_reason == "max_messages"
    assert len(reply.usage) == 2  # 4 messages: task, code, output, code


@pytest.mark.parametrize("persona", ["coder", "evaluator", "prompt-engineer"])
async def test_backend_error_becomes_agent_run_error(persona: str) -> None:
    gateway = scripted_gateway([{"pattern": "nothing matches this", "response": "x"}])
    with pytest.raises(AgentRunError, match=r"scripted model has no answer: no scripted rule") as caught:
        await run_persona_autogen(get_persona(persona), TASK, gateway)
    assert isinstance(caught.value.cause, NoScriptedRule)
