"""The tutor and the coder on the real embedded model (Gemma 3 270M), used as a learner would: CLI and `/v1`."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tools.grounding import is_scaffolding
from tools.grounding.replies import check_reply, direct_answer

from .helpers import run_cli, running_server

pytest.importorskip("llama_cpp", reason="the embedded extra is not installed")
pytestmark = [pytest.mark.embedded, pytest.mark.slow]

QUESTIONS = Path(__file__).resolve().parents[2] / "bench" / "data" / "tutor_questions.jsonl"
#: Some need the model's constrained choice (top-k, top-p tables, token lists), some are deterministic.
SAMPLE = {"top-k-2", "top-p-09", "cross-entropy-bits", "softmax-temp", "gqa-share", "notes-top-p", "neuron-output"}


@pytest.mark.parametrize("framework", ["crewai", "autogen"])
def test_ask_the_tutor_to_explain_top_p(framework: str) -> None:
    result = run_cli(
        "ask",
        "--agent",
        "tutor",
        "--framework",
        framework,
        "Explain top-p with an example",
        THINKROOM_BACKEND="embedded",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    head = direct_answer(result.stdout)
    assert "cumulative probability is at least p" in " ".join(head.split())
    assert "{apple, banana, cherry}" in " ".join(result.stdout.split())  # the computed worked example
    assert "notes are wrong or imprecise" in " ".join(result.stdout.split()) and not is_scaffolding(result.stdout)


def test_ask_the_coder_to_write_and_run_code() -> None:
    result = run_cli(
        "ask",
        "--agent",
        "coder",
        "Write and run a function that reverses a string",
        THINKROOM_BACKEND="embedded",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Output (exit code 0):" in result.stdout and "olleh" in result.stdout


def test_the_tutor_is_right_through_v1(tmp_path: Path) -> None:
    items = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    items = [item for item in items if item["id"] in SAMPLE]
    assert len(items) == len(SAMPLE)
    with running_server(tmp_path, THINKROOM_BACKEND="embedded") as url:
        for item in items:
            response = httpx.post(
                f"{url}/v1/chat/completions",
                json={"model": "tutor", "messages": [{"role": "user", "content": item["question"]}]},
                timeout=120,
            )
            assert response.status_code == 200, response.text
            text = response.json()["choices"][0]["message"]["content"]
            right, why = check_reply(text, item["expect"])
            assert right, f"{item['id']}: {why}\n{direct_answer(text)}"
