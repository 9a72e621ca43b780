"""The MCP server at /mcp, driven by the official `mcp` client SDK against a real `thinkroom serve`."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
from mcp import types
from mcp.shared.exceptions import McpError

from agents.knowledge.index import load_notes
from agents.model_concepts import MODEL_CONCEPTS
from agents.personas import PERSONAS
from tools.concepts import CONCEPTS, get_concept, render_errata_markdown
from tools.course.notes import split_lines, split_sections
from workflows.registry import WORKFLOWS

from .conftest import CAPITAL_REPLY, EVALUATOR_REPLY, KEY, PROMPT_REPLY, api, mcp_session

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def text_of(result: types.CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, types.TextContent)
    return block.text


def stored_run(base_url: str, thread_id: str, run_id: str) -> dict:
    with api(base_url) as client:
        runs = client.get(f"/threads/{thread_id}/runs").json()
    return next(r for r in runs if r["run_id"] == run_id)


async def test_lists_a_tool_per_concept_agent_and_workflow(mcp_url: str) -> None:
    async with mcp_session(mcp_url) as session:
        tools = {t.name: t for t in (await session.list_tools()).tools}
    expected = (
        {f"concept_{n}" for n in [*CONCEPTS, *MODEL_CONCEPTS]}
        | {f"agent_{n}" for n in PERSONAS}
        | {f"workflow_{n}" for n in WORKFLOWS}
    )
    assert set(tools) == expected
    assert tools["concept_softmax"].inputSchema == CONCEPTS["softmax"].input_model.model_json_schema()
    assert tools["agent_tutor"].inputSchema["required"] == ["message"]
    lesson_input = tools["workflow_lesson"].inputSchema["properties"]["input"]
    assert lesson_input["properties"]["concept"] == {"type": "string"}


async def test_a_concept_tool_returns_the_concept_labs_numbers(mcp_url: str) -> None:
    concept = get_concept("softmax")
    arguments = {"logits": [2.0, 1.0, 0.1]}
    async with mcp_session(mcp_url) as session:
        result = await session.call_tool("concept_softmax", arguments)
    assert result.isError is False
    expected = concept.execute(arguments)
    assert result.structuredContent == expected
    assert json.loads(text_of(result))["probs"] == expected["probs"]
    assert abs(sum(expected["probs"]) - 1.0) < 1e-12


async def test_a_model_backed_concept_runs_on_the_servers_gateway(mcp_url: str) -> None:
    arguments = {"prompt": "Once", "top_k": 2}
    async with mcp_session(mcp_url) as session:
        result = await session.call_tool("concept_next_token", arguments)
    assert result.isError is False, text_of(result)
    with api(mcp_url) as client:
        expected = client.post("/api/concepts/next_token/run", json=arguments).json()["result"]
    assert result.structuredContent == expected
    assert [t["token"] for t in expected["tokens"]] == [" upon", " more"]


async def test_bad_arguments_are_clear_tool_errors(mcp_url: str) -> None:
    async with mcp_session(mcp_url) as session:
        wrong_type = await session.call_tool("concept_softmax", {"logits": "many"})
        missing = await session.call_tool("agent_evaluator", {})
        no_input = await session.call_tool("workflow_reason", {"thread_id": "t"})
        resume_nowhere = await session.call_tool("workflow_lesson", {"resume": {"answers": ["x"]}})
        bad_input = await session.call_tool("workflow_lesson", {"input": {"concept": 42}})
        unknown = await session.call_tool("concept_no_such_thing", {})
        shapes = {"q": [[1.0, 0.0]], "k": [[1.0, 0.0], [0.0, 1.0]], "v": [[1.0]]}
        mismatched = await session.call_tool("concept_attention", shapes)  # the input model's own check
    assert wrong_type.isError and "logits: 'many' is not of type 'array'" in text_of(wrong_type)
    assert missing.isError and "'message' is a required property" in text_of(missing)
    assert no_input.isError and "pass 'input'" in text_of(no_input)
    assert resume_nowhere.isError and "with that run's thread_id" in text_of(resume_nowhere)
    assert bad_input.isError and "input.concept: 42 is not of type 'string'" in text_of(bad_input)
    assert unknown.isError and "unknown tool 'concept_no_such_thing'" in text_of(unknown)
    assert mismatched.isError and "k has 2 rows but v has 1; one value per key" in text_of(mismatched)
    assert "invalid arguments for concept_attention" in text_of(mismatched)
    assert "Example arguments:" in text_of(mismatched)


async def test_an_agent_tool_runs_the_persona_as_a_stored_run(mcp_url: str) -> None:
    async with mcp_session(mcp_url) as session:
        first = await session.call_tool("agent_evaluator", {"message": "Grade: 2 + 2 = 4"})
        assert first.isError is False, text_of(first)
        assert text_of(first) == EVALUATOR_REPLY
        ids = first.structuredContent or {}
        again = await session.call_tool("agent_evaluator", {"message": "And 3 + 3 = 6?", "thread_id": ids["thread_id"]})
    assert again.isError is False and (again.structuredContent or {})["thread_id"] == ids["thread_id"]
    run = stored_run(mcp_url, ids["thread_id"], ids["run_id"])
    assert run["status"] == "success" and run["metadata"]["tool"] == "agent_evaluator"
    assert run["kwargs"]["assistant_id"] == "chat" and run["kwargs"]["input"]["agent"] == "evaluator"
    with api(mcp_url) as client:
        state = client.get(f"/threads/{ids['thread_id']}/state").json()
        runs = client.get(f"/threads/{ids['thread_id']}/runs").json()
    assert len(runs) == 2
    assert [m["content"] for m in state["values"]["messages"]] == [
        "Grade: 2 + 2 = 4",
        EVALUATOR_REPLY,
        "And 3 + 3 = 6?",
        EVALUATOR_REPLY,
    ]


async def test_a_crewai_persona_answers_through_its_tool(mcp_url: str) -> None:
    async with mcp_session(mcp_url) as session:
        result = await session.call_tool("agent_prompt-engineer", {"message": "Improve: explain attention"})
    assert result.isError is False, text_of(result)
    assert text_of(result) == PROMPT_REPLY
    content = result.structuredContent or {}
    assert stored_run(mcp_url, content["thread_id"], content["run_id"])["status"] == "success"


async def test_a_workflow_tool_runs_and_returns_the_answer(mcp_url: str) -> None:
    async with mcp_session(mcp_url) as session:
        result = await session.call_tool(
            "workflow_reason", {"input": {"question": "What is the capital of France?", "strategy": "direct"}}
        )
    assert result.isError is False, text_of(result)
    assert text_of(result) == CAPITAL_REPLY
    content = result.structuredContent or {}
    assert content["status"] == "done" and content["output"]["answer"] == CAPITAL_REPLY
    run = stored_run(mcp_url, content["thread_id"], content["run_id"])
    assert run["status"] == "success" and run["kwargs"]["assistant_id"] == "reason"


async def test_a_paused_workflow_is_resumed_on_its_thread(mcp_url: str) -> None:
    async with mcp_session(mcp_url) as session:
        paused = await session.call_tool("workflow_lesson", {"input": {"concept": "softmax"}})
        assert paused.isError is False, text_of(paused)
        content = paused.structuredContent or {}
        assert content["status"] == "paused" and "resume=" in text_of(paused)
        questions = content["output"]["__interrupt__"][0]["value"]["questions"]
        answers = {"answers": ["it does not change the result"] * len(questions)}
        graded = await session.call_tool("workflow_lesson", {"resume": answers, "thread_id": content["thread_id"]})
    assert graded.isError is False, text_of(graded)
    assert (graded.structuredContent or {})["status"] == "done"
    assert text_of(graded).startswith("Score ")


async def test_a_failed_run_is_a_tool_error_and_stored_as_failed(mcp_url: str) -> None:
    last_is_assistant = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}
    async with mcp_session(mcp_url) as session:
        result = await session.call_tool("workflow_chat", {"input": last_is_assistant, "thread_id": "mcp-failing"})
    assert result.isError is True
    assert "failed: ValueError: chat needs a last message of type 'human'" in text_of(result)
    with api(mcp_url) as client:
        runs = client.get("/threads/mcp-failing/runs").json()
    assert [r["status"] for r in runs] == ["error"]


async def test_a_run_past_its_timeout_is_cancelled_and_a_tool_error(mcp_url: str) -> None:
    slow = {"input": {"messages": [{"role": "user", "content": "take your time"}]}, "thread_id": "mcp-slow"}
    async with mcp_session(mcp_url) as session:
        result = await session.call_tool("workflow_chat", {**slow, "timeout_s": 0.5})
    assert result.isError is True and "timed out after 0.5 s" in text_of(result)
    with api(mcp_url) as client:
        runs = client.get("/threads/mcp-slow/runs").json()
    assert [r["status"] for r in runs] == ["interrupted"]
    assert runs[0]["cancel_reason"] == "the MCP tool call timed out after 0.5 s"


async def test_notes_and_errata_are_resources(mcp_url: str) -> None:
    notes = load_notes()
    sections = split_sections(notes)
    async with mcp_session(mcp_url) as session:
        listed = {str(r.uri): r for r in (await session.list_resources()).resources}
        whole = await session.read_resource("thinkroom://notes")  # type: ignore[arg-type]
        errata = await session.read_resource("thinkroom://errata")  # type: ignore[arg-type]
        third = await session.read_resource("thinkroom://notes/sections/3")  # type: ignore[arg-type]
        with pytest.raises(McpError, match="unknown resource"):
            await session.read_resource("thinkroom://notes/sections/9999")  # type: ignore[arg-type]
    assert {"thinkroom://notes", "thinkroom://errata"} <= set(listed)
    assert len(listed) == 2 + len(sections)
    assert listed["thinkroom://notes/sections/3"].title == " > ".join((*sections[2].parents, sections[2].title))

    def text(result: types.ReadResourceResult) -> str:
        content = result.contents[0]
        assert isinstance(content, types.TextResourceContents)
        return content.text

    assert text(whole) == notes
    assert text(errata) == render_errata_markdown()
    assert "## `" in text(errata)  # at least one concept's errata
    lines = split_lines(notes)[sections[2].line_start - 1 : sections[2].line_end]
    assert text(third) == "\n".join(lines) + "\n"


def test_mcp_needs_the_api_key_when_one_is_set(mcp_url: str) -> None:
    without = httpx.post(f"{mcp_url}/mcp", json=INITIALIZE, headers=MCP_HEADERS, timeout=60)
    wrong = httpx.post(f"{mcp_url}/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "X-Api-Key": "nope"}, timeout=60)
    right = httpx.post(
        f"{mcp_url}/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": f"Bearer {KEY}"}, timeout=60
    )
    assert without.status_code == 401 and without.json()["error"]["code"] == "unauthorized"
    assert wrong.status_code == 401
    assert right.status_code == 200 and "thinkroom" in right.text


def test_the_early_routes_do_not_import_the_mcp_sdk() -> None:
    code = "import sys, server.app; server.app.create_app(); print(sorted(m for m in sys.modules if m == 'mcp'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"
