"""A CrewAI persona and an AutoGen persona call a tool of the test stdio MCP server.

The scripted model asks for `glossary`; its answer is scripted to need the server's real
result in the prompt, so the reply exists only if the call really reached the server. The
call and result are recorded as the turn's steps and reported as the same events the
concept tools produce. A server that cannot start fails the turn with its name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from agents.errors import AgentRunError
from agents.llm import Gateway
from agents.personas import Framework
from agents.runner import run_agent
from tests.agents.crewai.conftest import EventLog, action, final

from .conftest import TEMPERATURE, ToolReadingBackend, glossary_entry

Configure = Callable[[list[dict[str, Any]]], None]
PROMPT_TASK = "Improve my prompt: explain temperature to a beginner."
GRADE_TASK = "Grade this haiku: autumn moonlight, a worm digs silently into the chestnut."


def crewai_rules() -> list[dict[str, Any]]:
    return [
        {"pattern": f"Observation:.*{TEMPERATURE[:40]}", "response": final(f"Glossary says: {TEMPERATURE}")},
        {"pattern": "prompt engineer", "response": action("glossary", json.dumps({"term": "temperature"}))},
    ]


def autogen_rules() -> list[dict[str, Any]]:
    return [
        {"pattern": f"Result of tool glossary: {TEMPERATURE[:40]}", "response": f"SCORE: 7\nREASONS:\n- {TEMPERATURE}"},
        {
            "pattern": "strict evaluator",
            "response": json.dumps({"tool": "glossary", "arguments": {"term": "temperature"}}),
        },
    ]


async def test_a_crewai_persona_calls_an_mcp_tool(configure_mcp: Configure, event_log: EventLog) -> None:
    configure_mcp([glossary_entry()])
    gateway = Gateway(ToolReadingBackend(crewai_rules()))
    reply = await run_agent("prompt-engineer", PROMPT_TASK, gateway, on_event=event_log)
    assert reply.framework == "crewai" and reply.stop_reason == "completed"
    assert TEMPERATURE in reply.text
    calls = [d for k, d in event_log.events if k == "tool_call"]
    results = [d for k, d in event_log.events if k == "tool_result"]
    assert calls == [
        {"source": "prompt-engineer", "tool": "glossary", "server": "glossary", "arguments": {"term": "temperature"}}
    ]
    assert [(r["result"], r["error"]) for r in results] == [(TEMPERATURE, False)]
    kinds = [s.kind for s in reply.steps]
    assert kinds[:2] == ["tool_call", "tool_result"] and reply.steps[1].content == TEMPERATURE


async def test_an_autogen_persona_calls_an_mcp_tool(configure_mcp: Configure, event_log: EventLog) -> None:
    configure_mcp([glossary_entry()])
    gateway = Gateway(ToolReadingBackend(autogen_rules(), capabilities=["completion", "tools"]))
    reply = await run_agent("evaluator", GRADE_TASK, gateway, on_event=event_log)
    assert reply.framework == "autogen" and reply.stop_reason == "completed"
    assert reply.text.startswith("SCORE: 7") and TEMPERATURE in reply.text
    calls = [d for k, d in event_log.events if k == "tool_call"]
    results = [d for k, d in event_log.events if k == "tool_result"]
    assert [(c["name"], json.loads(c["arguments"])) for c in calls] == [("glossary", {"term": "temperature"})]
    assert [(r["name"], r["content"], r["is_error"]) for r in results] == [("glossary", TEMPERATURE, False)]
    assert [s.kind for s in reply.steps if s.kind.startswith("tool")] == ["tool_call", "tool_result"]


@pytest.mark.parametrize("persona", ["prompt-engineer", "evaluator"])
async def test_a_streamable_http_server_gives_tools_on_either_framework(
    configure_mcp: Configure, glossary_url: str, persona: str, event_log: EventLog
) -> None:
    configure_mcp([{"name": "glossary-http", "url": glossary_url}])
    rules, capabilities = (
        (crewai_rules(), None) if persona == "prompt-engineer" else (autogen_rules(), ["completion", "tools"])
    )
    gateway = Gateway(ToolReadingBackend(rules, capabilities=capabilities))
    reply = await run_agent(
        persona, PROMPT_TASK if persona == "prompt-engineer" else GRADE_TASK, gateway, on_event=event_log
    )
    assert TEMPERATURE in reply.text
    results = [d for k, d in event_log.events if k == "tool_result"]
    assert [r.get("result", r.get("content")) for r in results] == [TEMPERATURE]


async def test_an_autogen_model_without_tool_calling_starts_no_server(configure_mcp: Configure) -> None:
    """No tool calling, no tools offered: a broken server is not even started."""
    configure_mcp([{"name": "broken", "command": "/nonexistent/mcp-server"}])
    gateway = Gateway(ToolReadingBackend([{"pattern": "strict evaluator", "response": "SCORE: 6\nREASONS:\n- fine"}]))
    reply = await run_agent("evaluator", GRADE_TASK, gateway)
    assert reply.text.startswith("SCORE: 6")


async def test_a_server_limited_to_other_agents_is_not_offered(configure_mcp: Configure) -> None:
    configure_mcp(
        [glossary_entry(agents=["tutor"]), {"name": "broken", "command": "/nonexistent/x", "agents": ["coder"]}]
    )
    gateway = Gateway(ToolReadingBackend([{"pattern": "prompt engineer", "response": final("As a teacher, ...")}]))
    reply = await run_agent("prompt-engineer", PROMPT_TASK, gateway)
    assert reply.text == "As a teacher, ..." and not [s for s in reply.steps if s.kind == "tool_call"]


@pytest.mark.parametrize(
    ("persona", "capabilities"), [("prompt-engineer", None), ("evaluator", ["completion", "tools"])]
)
async def test_a_server_that_cannot_start_fails_the_turn_naming_it(
    configure_mcp: Configure, persona: str, capabilities: list[str] | None
) -> None:
    configure_mcp([{"name": "broken", "command": "/nonexistent/mcp-server", "timeout_s": 20}])
    gateway = Gateway(ToolReadingBackend([{"pattern": ".", "response": "unused"}], capabilities=capabilities))
    with pytest.raises(AgentRunError, match=r"^MCP server 'broken' \(/nonexistent/mcp-server\): could not start: .*"):
        await run_agent(persona, GRADE_TASK if persona == "evaluator" else PROMPT_TASK, gateway)


async def test_a_server_that_dies_mid_turn_gives_that_call_a_clear_error(
    configure_mcp: Configure, event_log: EventLog
) -> None:
    configure_mcp([glossary_entry()])
    rules = [
        {
            "pattern": "Error from tool crash: ERROR MCP server 'glossary' failed on crash",
            "response": "SCORE: 2\nREASONS:\n- no glossary",
        },
        {"pattern": "strict evaluator", "response": json.dumps({"tool": "crash", "arguments": {}})},
    ]
    gateway = Gateway(ToolReadingBackend(rules, capabilities=["completion", "tools"]))
    reply = await run_agent("evaluator", GRADE_TASK, gateway, on_event=event_log)
    results = [d for k, d in event_log.events if k == "tool_result"]
    assert [(r["name"], r["is_error"]) for r in results] == [("crash", True)]
    assert results[0]["content"].startswith("ERROR MCP server 'glossary' failed on crash: ")
    assert reply.text.startswith("SCORE: 2")


async def test_a_crewai_call_on_a_server_that_dies_gets_a_clear_error_result(
    configure_mcp: Configure, event_log: EventLog
) -> None:
    configure_mcp([glossary_entry()])
    rules = [
        {
            "pattern": "Observation:.*ERROR MCP server 'glossary' failed on crash",
            "response": final("No glossary today."),
        },
        {"pattern": "prompt engineer", "response": action("crash", "{}")},
    ]
    reply = await run_agent("prompt-engineer", PROMPT_TASK, Gateway(ToolReadingBackend(rules)), on_event=event_log)
    results = [d for k, d in event_log.events if k == "tool_result"]
    assert [(r["tool"], r["error"]) for r in results] == [("crash", True)]
    assert results[0]["result"].startswith("ERROR MCP server 'glossary' failed on crash: ")
    assert reply.text == "No glossary today."


@pytest.mark.parametrize(("persona", "framework"), [("prompt-engineer", "autogen"), ("evaluator", "crewai")])
async def test_either_persona_gets_the_mcp_tools_on_the_other_framework(
    configure_mcp: Configure, event_log: EventLog, persona: str, framework: Framework
) -> None:
    """The MCP tools are part of the persona contract, not of one framework's personas."""
    configure_mcp([glossary_entry()])
    role = "prompt engineer" if persona == "prompt-engineer" else "strict evaluator"
    answer = f"SCORE: 7\nREASONS:\n- {TEMPERATURE}"
    call = {"term": "temperature"}
    if framework == "crewai":
        rules = [
            {"pattern": f"Observation:.*{TEMPERATURE[:40]}", "response": final(answer)},
            {"pattern": role, "response": action("glossary", json.dumps(call))},
        ]
    else:
        rules = [
            {"pattern": f"Result of tool glossary: {TEMPERATURE[:40]}", "response": answer},
            {"pattern": role, "response": json.dumps({"tool": "glossary", "arguments": call})},
        ]
    gateway = Gateway(ToolReadingBackend(rules, capabilities=["completion", "tools"]))
    reply = await run_agent(persona, GRADE_TASK, gateway, framework=framework, on_event=event_log)
    assert reply.framework == framework and TEMPERATURE in reply.text
    assert [k for k, _ in event_log.events if k.startswith("tool_")] == ["tool_call", "tool_result"]
