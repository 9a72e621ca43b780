"""An assistant for every agent: tutor, coder, evaluator and prompt-engineer are system assistants on
the chat graph (the persona in their context), listed by `assistants.search` and runnable by name."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import ConflictError

from tests.server.helpers import running_server

from .conftest import database_env, server_env

AGENTS = {"tutor", "coder", "evaluator", "prompt-engineer"}
# LangGraph Server's namespace for assistant ids (server.db.assistants): ids are uuid5 of the name
NAMESPACE = uuid.UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8")
# the coder's system prompt names its role; the plain chat (no persona) gets the last rule
RULES = [
    {"pattern": "You are the Python developer", "response": "```python\nprint(2 + 3)\n```"},
    {"pattern": ".", "response": "A plain model reply."},
]


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest, database: str) -> Iterator[str]:
    directory: Path = tmp_path_factory.mktemp(f"persona-assistants-{database}")
    rules = directory / "persona-rules.json"
    rules.write_text(json.dumps(RULES))
    env = server_env(directory, THINKROOM_SCRIPTED_RULES=str(rules), **database_env(request, database))
    with running_server(directory, **env) as url:
        yield url


def ask(text: str) -> dict[str, list[dict[str, str]]]:
    return {"messages": [{"role": "user", "content": text}]}


async def test_search_lists_an_assistant_per_agent_next_to_the_graphs(client: LangGraphClient) -> None:
    found = await client.assistants.search(limit=100)
    agents = {a["name"]: a for a in found if a["metadata"].get("agent")}
    assert set(agents) == AGENTS
    for name, assistant in agents.items():
        assert assistant["graph_id"] == "chat" and assistant["context"] == {"agent": name}
        assert assistant["assistant_id"] == str(uuid.uuid5(NAMESPACE, name))
        assert assistant["metadata"] == {"created_by": "system", "agent": name}
        assert assistant["description"]
    assert {"chat", "lesson"} <= {a["graph_id"] for a in found if not a["metadata"].get("agent")}
    only_tutor = await client.assistants.search(metadata={"agent": "tutor"})
    assert [a["name"] for a in only_tutor] == ["tutor"]
    on_chat = await client.assistants.search(graph_id="chat", limit=100)
    assert AGENTS <= {a["name"] for a in on_chat}
    again = await client.assistants.search(limit=100)  # each search re-syncs: still one per agent
    assert sorted(a["name"] for a in again if a["metadata"].get("agent")) == sorted(AGENTS)


async def test_a_run_on_the_tutor_assistant_answers_as_the_tutor(client: LangGraphClient) -> None:
    tutor = await client.assistants.get("tutor")
    assert tutor["assistant_id"] == str(uuid.uuid5(NAMESPACE, "tutor"))
    question = ask("What does top-p keep?")
    thread = await client.threads.create()
    by_name = await client.runs.wait(thread["thread_id"], "tutor", input=question)
    # the tutor is grounded: it answers from the concept lab, not with the model's plain reply
    assert isinstance(by_name, dict) and by_name["answer"] != "A plain model reply."
    assert "cumulative probability" in by_name["answer"]
    plain = await client.runs.wait((await client.threads.create())["thread_id"], "chat", input=question)
    assert isinstance(plain, dict) and plain["answer"] == "A plain model reply."
    by_id = await client.runs.wait((await client.threads.create())["thread_id"], tutor["assistant_id"], input=question)
    assert isinstance(by_id, dict) and by_id["answer"] == by_name["answer"]


async def test_a_run_on_the_coder_assistant_is_the_coder_persona(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    result = await client.runs.wait(thread["thread_id"], "coder", input=ask("Print two plus three."))
    assert isinstance(result, dict) and "print(2 + 3)" in result["answer"]
    sources = {step["source"] for steps in result["steps"].values() for step in steps}
    assert "coder" in sources
    run = (await client.runs.list(thread["thread_id"]))[0]
    assert run["assistant_id"] == str(uuid.uuid5(NAMESPACE, "coder"))


async def test_an_agent_assistant_cannot_be_deleted(client: LangGraphClient) -> None:
    with pytest.raises(ConflictError, match="agent 'evaluator'"):
        await client.assistants.delete("evaluator")
    assert (await client.assistants.get("evaluator"))["name"] == "evaluator"


async def test_the_agent_assistant_of_a_run_wins_over_the_agent_a_thread_used_before(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    as_coder = {**ask("Print two plus three."), "agent": "coder"}
    first = await client.runs.wait(thread["thread_id"], "chat", input=as_coder)
    assert isinstance(first, dict) and "print(2 + 3)" in first["answer"]
    second = await client.runs.wait(thread["thread_id"], "tutor", input=ask("What does top-p keep?"))
    assert isinstance(second, dict) and "cumulative probability" in second["answer"]  # the tutor, not the coder
    third = await client.runs.wait(thread["thread_id"], "chat", input=ask("Print two plus three."))
    assert isinstance(third, dict) and "print(2 + 3)" in third["answer"]  # the plain chat keeps the thread's agent
