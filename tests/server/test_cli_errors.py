"""Every `thinkroom` failure a user can cause or meet is one line on stderr and exit 2 (bad input)
or 1 (a failure: backend down, context overflow), never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import free_port, run_cli

RULES = [{"pattern": "2 \\+ 2", "response": "4"}]
HUGE = "word " * 20_000


def closed_ollama() -> dict[str, str]:
    return {"THINKROOM_BACKEND": "ollama", "OLLAMA_HOST": f"http://127.0.0.1:{free_port()}"}


CASES = [
    # (argv, exit code, words the error line must contain, backend env)
    (["run", "reason", "--input", "{}"], 2, "needs a 'question'", None),
    (
        ["run", "reason", "--input", '{"question": "2 + 2?"}', "--strategy", "nope"],
        2,
        "input.strategy: Input should be 'direct'",
        None,
    ),
    (["run", "reason", "--input", '{"question": "2 + 2?"}', "--strategy", "cot_sc", "--n", "-3"], 2, "config.n", None),
    (["run", "lesson", "--input", '{"concept": "nosuch"}'], 2, "unknown concept 'nosuch'", None),
    (["run", "reason", "--input", "[1, 2]"], 2, "--input must be a JSON object", None),
    (["run", "nosuch"], 2, "unknown workflow 'nosuch'", None),
    (["runs", "resume", "nosuch"], 2, "no run 'nosuch'", None),
    (["runs", "resume", "nosuch", "--input", "{bad"], 2, "--input is not valid JSON", None),
    (["runs", "show", "nosuch"], 2, "no run 'nosuch'", None),
    (["concepts", "run", "nosuch"], 2, "unknown concept 'nosuch'", None),
    (["concepts", "run", "softmax", "--json", '{"logits": "x"}'], 2, "invalid input: logits", None),
    (["ask", "--agent", "nobody", "hi"], 2, "unknown agent 'nobody'", None),
    (["ask", "nothing matches this"], 1, "no_scripted_rule", None),
    (["ask", "--agent", "tutor", "Explain top-p with an example"], 1, "model backend unavailable", "ollama"),
    (["ask", "Explain top-p"], 1, "backend_unavailable: cannot reach Ollama", "ollama"),
    (["run", "chat", "--input", json.dumps({"messages": [{"role": "user", "content": "hi"}]})], 1, "reach", "ollama"),
    (["models", "list"], 1, "backend_unavailable", "ollama"),
    (["ask", "--model", "nosuch", "2 + 2"], 1, "unknown model 'nosuch' on the scripted backend; available: scripted",
     None),
    (["ask", "--agent", "tutor", "--model", "nosuch", "2 + 2"], 1, "model_not_found: unknown model 'nosuch'", None),
    (["ask", "--bogus", "2 + 2"], 2, "No such option: --bogus (see 'thinkroom ask --help')", None),
    (["ask"], 2, "Missing argument 'prompt'", None),
    (["run", "chat", "--input"], 2, "Option '--input' requires an argument", None),
    (["nosuch"], 2, "No such command 'nosuch'", None),
]


@pytest.mark.parametrize(("argv", "code", "says", "backend"), CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_failure_is_one_line_and_an_exit_code(
    tmp_path: Path, argv: list[str], code: int, says: str, backend: str | None
) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES))
    env = {"THINKROOM_CHECKPOINT_PATH": str(tmp_path / "checkpoints.db")}
    scripted = {"THINKROOM_BACKEND": "scripted", "THINKROOM_SCRIPTED_RULES": str(rules)}
    env |= closed_ollama() if backend == "ollama" else scripted
    result = run_cli(*argv, timeout=180, **env)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert 1 <= len(lines) <= 2, result.stderr  # `run` names its run id first
    assert lines[-1].startswith("error: ") and says in lines[-1], lines[-1]


@pytest.mark.embedded
@pytest.mark.parametrize("argv", [["ask", HUGE], ["ask", "--agent", "prompt-engineer", HUGE]], ids=["ask", "ask-agent"])
def test_a_prompt_over_the_embedded_window_is_one_line_and_exit_1(argv: list[str]) -> None:
    pytest.importorskip("llama_cpp")
    result = run_cli(*argv, THINKROOM_BACKEND="embedded", timeout=300)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("error: ") and "context window holds 4096" in error
    assert "Requested tokens" not in result.stderr


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_api_key_is_a_startup_error_naming_it(tmp_path: Path, value: str) -> None:
    """An empty key must not silently turn authentication off."""
    result = run_cli("serve", "--port", str(free_port()), timeout=60, THINKROOM_API_KEY=value,
                     THINKROOM_DATABASE_URL=f"sqlite:///{tmp_path}/t.db")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "THINKROOM_API_KEY" in lines[0], result.stderr
    assert "empty" in lines[0]
