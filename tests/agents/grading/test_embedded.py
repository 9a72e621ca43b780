"""The grounded evaluator on the real embedded model (Gemma 3 270M through llama.cpp)."""

from __future__ import annotations

import pytest

from agents.grading import gateway_judge, grade_answer
from agents.grading.calibration import agrees, load_calibration
from agents.grading.judge import JudgeVerdict, run_judge
from agents.llm.backends.embedded import EmbeddedBackend
from agents.llm.gateway import Gateway
from agents.runner import run_agent
from agents.settings import Settings
from tools.concepts import get_concept

pytest.importorskip("llama_cpp", reason="the embedded extra is not installed")
pytestmark = [pytest.mark.embedded, pytest.mark.slow]

#: Agreement the grader must reach on the calibration set with this model as judge.
TARGET = 0.9


@pytest.fixture(scope="module")
def gateway() -> Gateway:
    return Gateway(EmbeddedBackend(None, Settings().embedded_cache_dir, n_ctx=4096))


PROMPTS = [
    ("normalization", 1, "RMSNorm subtracts the mean."),
    ("sampling", 1, "top-k keeps k tokens, top-p keeps however many reach mass p"),
    ("attention", 0, "Dot products grow with d_k and saturate the softmax; dividing keeps gradients alive."),
    ("rope", 1, 'Yes!! They are "learned" \\ trained {like weights} — 100% sure…'),
    ("gan_1d", 1, ""),
]


@pytest.mark.parametrize(("concept", "index", "answer"), PROMPTS)
async def test_the_judge_always_answers_in_the_schema(gateway: Gateway, concept: str, index: int, answer: str) -> None:
    """Constrained decoding: whatever the answer (empty, quotes, unicode), the JSON parses and validates."""
    found = get_concept(concept)
    item = found.quiz[index]
    verdict, usage = await run_judge(gateway_judge(gateway), item.question, item.answer, found.explanation, answer)
    assert isinstance(verdict, JudgeVerdict) and 0 <= verdict.score <= 10 and 1 <= len(verdict.reasons) <= 2
    assert usage is not None and usage.backend == "embedded" and usage.operation == "structured"


async def test_calibration_agreement(gateway: Gateway) -> None:
    """The grounded grader agrees with the human labels on at least 90% of the calibration set."""
    items = load_calibration()
    judge = gateway_judge(gateway)
    results = [await grade_answer(i.question, i.answer, judge=judge, concept=i.concept) for i in items]
    agreement = sum(agrees(i, r.grade) for i, r in zip(items, results, strict=True)) / len(items)
    assert agreement >= TARGET, f"agreement {agreement:.3f} < {TARGET}"
    assert any(r.usage for r in results)  # the model judged what the checks could not settle


async def test_the_evaluator_persona_on_the_embedded_model(gateway: Gateway) -> None:
    task = "Grade this answer to 'What does RMSNorm do differently from LayerNorm?': RMSNorm subtracts the mean."
    for framework in ("autogen", "crewai"):
        reply = await run_agent("evaluator", task, gateway, framework=framework)  # type: ignore[arg-type]
        assert reply.stop_reason == "completed" and reply.text.startswith("SCORE: 2\nREASONS:\n")
