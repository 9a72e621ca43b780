"""Gateway behaviour shared by all backends: JSON parsing, usage ledger, backend choice."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from agents.llm import BackendError, Gateway
from agents.llm.backends.scripted import ScriptedBackend
from agents.llm.factory import choose_backend
from agents.llm.gateway import parse_json_output
from agents.settings import Settings

SCHEMA = {"type": "object", "properties": {"score": {"type": "integer"}}, "required": ["score"]}


def test_json_output_tolerates_fences_and_preamble() -> None:
    assert parse_json_output('Sure:\n```json\n{"score": 3}\n```', SCHEMA) == {"score": 3}


@pytest.mark.parametrize("text", ["no json here", '{"score": "high"}', '{"other": 1}'])
def test_json_output_that_breaks_the_schema_is_a_backend_error(text: str) -> None:
    with pytest.raises(BackendError):
        parse_json_output(text, SCHEMA)


async def test_ledger_listeners_see_every_call() -> None:
    gw = Gateway(ScriptedBackend([{"pattern": ".", "response": '{"score": 4}'}]))
    seen = []
    unsubscribe = gw.ledger.subscribe(seen.append)
    assert await gw.structured("grade it", SCHEMA) == {"score": 4}
    unsubscribe()
    await gw.chat("again")
    assert len(seen) == 1 and seen[0].operation == "structured"
    assert gw.ledger.totals()["calls"] == 2


async def test_auto_picks_ollama_when_it_answers(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/version").respond_with_json({"version": "0.12.11"})
    choice = await choose_backend(Settings(ollama_host=httpserver.url_for("")))
    assert choice.name == "ollama" and "0.12.11" in choice.reason


async def test_auto_falls_back_to_embedded_when_nothing_answers() -> None:
    choice = await choose_backend(Settings(ollama_host="http://127.0.0.1:9"))
    assert choice.name == "embedded" and "no Ollama answered" in choice.reason


async def test_explicit_backend_is_never_probed() -> None:
    choice = await choose_backend(Settings(backend="scripted", ollama_host="http://127.0.0.1:9"))
    assert choice.name == "scripted"


async def test_max_tokens_cap_bounds_every_call() -> None:
    gw = Gateway(ScriptedBackend([{"pattern": ".", "response": "one two three four five"}]), max_tokens_cap=2)
    assert (await gw.chat("x")).text == "one two"
    from agents.llm import GenerationOptions

    assert (await gw.chat("x", options=GenerationOptions(max_tokens=100))).finish_reason == "length"
    assert (await gw.chat("x", options=GenerationOptions(max_tokens=1))).text == "one"
