"""The scripted test backend: first matching rule wins, responses rotate, misses are named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.llm import Gateway, NoScriptedRule
from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.factory import build_backend
from agents.settings import Settings


def gateway(rules: list[dict[str, object]]) -> Gateway:
    return Gateway(ScriptedBackend(rules))


async def test_first_matching_rule_wins_and_matches_system_text() -> None:
    gw = gateway(
        [
            {"pattern": "tutor", "response": "from system"},
            {"pattern": "France", "response": "Paris"},
        ]
    )
    assert (await gw.chat("France?", system="You are a tutor")).text == "from system"
    assert (await gw.chat("France?")).text == "Paris"


async def test_response_lists_are_used_in_turn_then_repeat_the_last() -> None:
    gw = gateway([{"pattern": ".", "responses": ["a", "b"]}])
    assert [(await gw.chat("x")).text for _ in range(3)] == ["a", "b", "b"]


async def test_unmatched_prompt_is_a_clear_error_naming_it() -> None:
    with pytest.raises(NoScriptedRule, match="What is RLHF"):
        await gateway([{"pattern": "^never$", "response": "x"}]).chat("What is RLHF?")


async def test_usage_counts_whitespace_tokens_and_stream_joins() -> None:
    gw = gateway([{"pattern": ".", "response": "one two  three"}])
    result = await gw.chat("a b c d")
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (4, 3)
    chunks = [c async for c in gw.stream("a b c d")]
    assert "".join(c.text for c in chunks) == "one two  three"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 3
    assert len(gw.ledger.records) == 2


async def test_rules_load_from_the_file_named_in_settings(tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"rules": [{"pattern": "ping", "response": "pong"}]}))
    backend = build_backend("scripted", Settings(scripted_rules=rules))
    assert (await Gateway(backend).chat("ping")).text == "pong"


async def test_next_token_distribution_is_sorted() -> None:
    gw = gateway([{"pattern": ".", "next_token": {"a": 0.2, "b": 0.5, "c": 0.3}}])
    tokens = await gw.next_token("x", top_k=2)
    assert [t.token for t in tokens] == ["b", "c"]
