"""An arena on the real embedded model (Gemma 3 270M, a base model): the evaluator's choice is read from
grammar-constrained JSON, so even this model's every judgement is A, B or tie, never unparsed prose."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.llm.backends.embedded import EmbeddedBackend
from agents.llm.gateway import Gateway
from agents.llm.model_files import DEFAULT_EMBEDDED_MODEL
from agents.settings import Settings

from .helpers import run_workflow

pytest.importorskip("llama_cpp", reason="the embedded extra is not installed")
pytestmark = [pytest.mark.embedded, pytest.mark.slow]


@pytest.fixture(scope="module")
def gateway() -> Gateway:
    backend = EmbeddedBackend(None, Settings().embedded_cache_dir, n_ctx=4096)
    return Gateway(backend, max_tokens_cap=48)


async def test_a_model_against_a_persona_judged_by_the_evaluators_constrained_choice(
    gateway: Gateway, tmp_path: Path
) -> None:
    graph_input = {"prompts": ["Name one planet of the solar system."],
                   "contestants": [DEFAULT_EMBEDDED_MODEL, "prompt-engineer"], "max_tokens": 48}
    values, events, snapshot = await run_workflow("arena", graph_input, gateway, tmp_path / "c.db")
    assert snapshot.next == ()
    result = values["result"]
    (item,) = result["items"]
    (pair,) = item["pairs"]
    assert {pair["a"], pair["b"]} == {DEFAULT_EMBEDDED_MODEL, f"prompt-engineer@{DEFAULT_EMBEDDED_MODEL}"}
    judgement = pair["judgement"]
    assert (judgement["by"], judgement["method"], judgement["framework"]) == ("persona", "constrained_choice",
                                                                              "autogen")
    assert judgement["error"] is None and pair["winner"] in ("a", "b", "tie")  # the grammar always gives a choice
    assert len(judgement["choices"]) == 2 and set(judgement["choices"]) <= {"A", "B", "tie"}  # as shown, swapped
    assert all(a["text"].strip() and a["error"] is None for a in item["answers"].values())
    assert result["ratings"]["outcomes"] == 1 and [e for e in events if e["kind"] == "arena.item"]


async def test_gsm8k_pairs_are_decided_by_the_verifier_not_the_model(gateway: Gateway, tmp_path: Path) -> None:
    graph_input = {"suite": "gsm8k", "limit": 1, "contestants": [DEFAULT_EMBEDDED_MODEL, "prompt-engineer"],
                   "max_tokens": 48}
    values, _, _ = await run_workflow("arena", graph_input, gateway, tmp_path / "c.db")
    (pair,) = values["result"]["items"][0]["pairs"]
    answers = values["result"]["items"][0]["answers"]
    assert pair["judgement"]["by"] == "verifier" and pair["judgement"]["method"] == "gsm8k_exact"
    a_right, b_right = answers[pair["a"]]["correct"], answers[pair["b"]]["correct"]
    assert pair["winner"] == ("tie" if a_right == b_right else "a" if a_right else "b")
