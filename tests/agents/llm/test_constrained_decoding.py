"""Constrained decoding on the embedded model: every structured output parses, whatever the prompt."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, Field

from agents.llm import Gateway, GenerationOptions
from agents.llm.backends.embedded import EmbeddedBackend
from agents.llm.grammar import DEFAULT_STRING_BOUND, grammar_schema
from agents.settings import Settings

pytest.importorskip("llama_cpp", reason="the embedded extra is not installed")

VERDICT = {
    "type": "object",
    "properties": {"verdict": {"enum": ["sure", "likely", "impossible"]}},
    "required": ["verdict"],
}
JUDGE = {
    "type": "object",
    "properties": {
        "score": {"type": "integer", "minimum": 0, "maximum": 10},
        "verdict": {"enum": ["correct", "partially correct", "incorrect"]},
        "reasons": {"type": "array", "items": {"type": "string", "maxLength": 80}, "maxItems": 2},
    },
    "required": ["score", "verdict", "reasons"],
}


class Vector(BaseModel):
    """A pydantic input model with the usual 'maxItems' guard, which llama.cpp cannot unroll."""

    x: list[float] = Field(min_length=1, max_length=100000)
    kind: str = Field(max_length=1000)


def test_large_bounds_and_annotations_are_dropped_for_the_grammar() -> None:
    cleaned = grammar_schema(Vector.model_json_schema())
    assert "maxItems" not in cleaned["properties"]["x"] and "title" not in cleaned
    assert cleaned["properties"]["kind"]["maxLength"] == DEFAULT_STRING_BOUND  # 1000 > MAX_GRAMMAR_BOUND
    assert grammar_schema({"type": "array", "maxItems": 3})["maxItems"] == 3
    assert grammar_schema({"type": "integer", "minimum": 0, "maximum": 3}) == {"enum": [0, 1, 2, 3]}
    assert grammar_schema({"properties": {"title": {"type": "integer"}}})["properties"] == {
        "title": {"type": "integer"}
    }


@pytest.fixture(scope="module")
def gateway() -> Gateway:
    return Gateway(EmbeddedBackend(None, Settings().embedded_cache_dir, n_ctx=2048))


PROMPTS = [
    "Evaluate if given numbers can reach 24 (sure/likely/impossible)\n10 14\n",
    "Is 2 + 2 = 5? Answer sure, likely or impossible.",
    "Write a poem about the sea.",
    "Thought: Action: Final Answer:",
    "",
]


@pytest.mark.embedded
@pytest.mark.parametrize("prompt", PROMPTS)
@pytest.mark.parametrize(
    ("name", "schema"), [("verdict", VERDICT), ("judge", JUDGE), ("pydantic", Vector.model_json_schema())]
)
async def test_structured_output_always_parses(
    gateway: Gateway, prompt: str, name: str, schema: dict[str, Any]
) -> None:
    options = GenerationOptions(temperature=0.8, seed=7, max_tokens=256)
    value = await gateway.structured(prompt or "?", schema, options=options)  # validated against `schema` itself
    assert isinstance(value, dict)
    if name == "verdict":
        assert value["verdict"] in {"sure", "likely", "impossible"}
