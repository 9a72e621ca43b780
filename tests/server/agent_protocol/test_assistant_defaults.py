"""User-created assistants carry their own strategy, options, model and agent into runs."""

from __future__ import annotations

from pathlib import Path

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.gateway import Gateway

from ..conftest import make_client

RULES = [
    {"pattern": "step by step", "response": "6 * 7 = 42\nAnswer: 42"},  # only the cot prompt asks for steps
    {"pattern": ".", "response": "one two three four five"},
]


def test_an_assistants_context_sets_strategy_options_and_model(tmp_path: Path) -> None:
    backend = ScriptedBackend(RULES)
    with make_client(tmp_path, Gateway(backend)) as client:
        cot = client.post(
            "/assistants",
            json={
                "graph_id": "reason",
                "name": "careful",
                "context": {"strategy": "cot", "model": "my-model"},
            },
        ).json()
        terse = client.post(
            "/assistants",
            json={
                "graph_id": "chat",
                "name": "terse",
                "context": {"options": {"max_tokens": 2}},
            },
        ).json()
        schemas = client.get(f"/assistants/{cot['assistant_id']}/schemas").json()

        reasoned = client.post(
            "/runs/wait", json={"assistant_id": cot["assistant_id"], "input": {"question": "What is 6 times 7?"}}
        ).json()
        plain = client.post(
            "/runs/wait", json={"assistant_id": "reason", "input": {"question": "What is 6 times 7?"}}
        ).json()
        chatted = client.post(
            "/runs/wait",
            json={"assistant_id": terse["assistant_id"], "input": {"messages": [{"role": "user", "content": "hi"}]}},
        ).json()
    assert "strategy" in schemas["context_schema"]["properties"]
    assert reasoned["strategy"] == "cot" and reasoned["answer"] == "42"
    assert plain["strategy"] == "direct"  # the built-in assistant keeps the default
    assert chatted["answer"] == "one two"  # options from the assistant: max_tokens=2
    assert any(p.startswith("Think step by step") or "step by step" in p for p in backend.prompts)
