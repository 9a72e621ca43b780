"""A `thinkroom serve` subprocess on the scripted backend, shared by the OpenAI SDK tests."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from openai import OpenAI

from ..helpers import running_server

RULES = [
    {"pattern": "strict evaluator", "response": "SCORE: 9\nREASONS:\n- the sum is correct\n- clearly stated\nAPPROVE"},
    {"pattern": "GenAI tutor", "response": "Attention lets every token weigh every other token."},
    {"pattern": "capital of France", "response": "The capital of France is Paris, a city on the Seine."},
    {"pattern": ".", "response": "I have no scripted answer for that."},
]


@pytest.fixture(scope="package")
def scripted_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("openai-scripted")
    rules = tmp / "rules.json"
    rules.write_text(json.dumps(RULES))
    with running_server(tmp, THINKROOM_BACKEND="scripted", THINKROOM_SCRIPTED_RULES=str(rules)) as url:
        yield url


@pytest.fixture
def client(scripted_url: str) -> OpenAI:
    return OpenAI(base_url=f"{scripted_url}/v1", api_key="x", max_retries=0, timeout=120)
