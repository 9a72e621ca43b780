"""The operator's THINKROOM_MAX_TOKENS_CAP bounds completions on every path, /v1 workflows included."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.gateway import Gateway

from .conftest import make_client


@pytest.mark.parametrize("model", ["scripted", "chat"])
def test_cap_applies_to_direct_and_workflow_chats(tmp_path: Path, model: str) -> None:
    gateway = Gateway(ScriptedBackend([{"pattern": ".", "response": "one two three four five"}]), max_tokens_cap=2)
    with make_client(tmp_path, gateway) as client:
        body = client.post("/v1/chat/completions", json={
            "model": model, "messages": [{"role": "user", "content": "count"}], "max_tokens": 50,
        }).json()
    assert body["choices"][0]["message"]["content"] == "one two"
    assert body["usage"]["completion_tokens"] == 2
