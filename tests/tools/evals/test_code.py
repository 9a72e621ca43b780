"""The program a code sample runs as, and the completion read out of a model's reply."""

from __future__ import annotations

from tools.evals.code import build_program, completion_from_reply

PROMPT = 'import math\n\n\ndef area(r: float) -> float:\n    """Area of a circle."""\n'


def test_program_is_humaneval_s_concatenation() -> None:
    program = build_program(PROMPT, "    return math.pi * r * r\n", "def check(f):\n    assert f(1) > 3\n", "area")
    assert program == PROMPT + "    return math.pi * r * r\n\ndef check(f):\n    assert f(1) > 3\n\ncheck(area)\n"
    assert build_program("x = 1\n", "", "assert x == 1", None).endswith("assert x == 1\n")


def test_a_fenced_full_definition_redefines_the_function_after_the_prompt() -> None:
    reply = "Here you go:\n```python\ndef area(r):\n    return math.pi * r ** 2\n```\nDone."
    completion = completion_from_reply(reply, PROMPT, "area")
    assert completion == "\ndef area(r):\n    return math.pi * r ** 2\n"
    namespace: dict[str, object] = {}
    exec(PROMPT + completion, namespace)  # valid Python, the later definition wins
    assert abs(namespace["area"](1.0) - 3.14159) < 1e-4  # type: ignore[operator]


def test_a_body_continues_the_prompt_and_an_echoed_prompt_is_not_repeated() -> None:
    assert completion_from_reply("    return math.pi * r * r", PROMPT, "area") == "    return math.pi * r * r\n"
    echoed = PROMPT + "    return 3.14159 * r * r\n"
    assert completion_from_reply(echoed, PROMPT, "area") == "\n    return 3.14159 * r * r\n"
    assert completion_from_reply("```\n    return 0\n", PROMPT, "area") == "    return 0\n"  # unclosed fence
