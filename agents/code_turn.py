"""What a coder's turn produces on either framework: its final program, run in the sandbox, reported one way.

AutoGen runs the coder in a team with a sandbox executor agent; CrewAI runs it as rounds of
one-task crews. Both read code out of the model's text with the same rules (fenced, untagged
or unfenced Python, as small models write it), run it with `run_program` (a sandbox that
cannot run it is a failed run the coder can read, never a crash), stop on the same
conditions (a clean run; DONE once something has run; the round cap; the time budget) and
render the same reply. `ensure_final_run` is what `agents.runner` applies to
every code turn, so the program a reply shows is the program whose output it shows.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from agents.personas import AgentReply, AgentStep
from agents.sandbox import (
    PYTHON_LANGS,
    SHELL_LANGS,
    SandboxError,
    SandboxLimits,
    SandboxMode,
    SandboxResult,
    run_python_async,
)

#: The source name sandbox runs are reported under, on both frameworks.
EXECUTOR = "executor"

EventCallback = Callable[[str, dict[str, Any]], Any]

#: A fenced block: the opening fence's line holds nothing but the language tag (so a model's
#: prose such as "one complete ```python code block" opens nothing); untagged counts as python.
_FENCED = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[ \t]*\n([\s\S]*?)```")
_OPEN_FENCE = re.compile(r"```[ \t]*(?:python3?|py)?[ \t]*\n")
_CODE_START = re.compile(r"^(?:def |class |import |from \S+ import |print\(|for |while |if __name__)", re.MULTILINE)
_DONE = re.compile(r"(?<![A-Za-z])DONE(?![A-Za-z])")
_MAX_TRIM_LINES = 200
#: How an empty run is reported (AutoGen's wording): not evidence that the code works.
NO_OUTPUT = "The script ran but produced no output to console."


@dataclass(frozen=True)
class Block:
    """One code block of a message: its language ("python", "sh"...) and code."""

    language: str
    code: str


def extract_code_blocks(text: str, *, unfenced: bool = True) -> list[Block]:
    """The python and shell blocks of a markdown message, in order.

    With `unfenced`, a message with no closed fence that still holds Python (small models
    often skip the fence, or hit max_tokens before closing it) yields that Python.
    """
    blocks = []
    for language, code in _FENCED.findall(text):
        lang = language.strip().lower()
        if lang in PYTHON_LANGS or lang in SHELL_LANGS:
            blocks.append(Block(language=lang or "python", code=code))
    if not blocks and unfenced:
        code = unfenced_python(text)
        if code is not None:
            blocks.append(Block(language="python", code=code))
    return blocks


def unfenced_python(text: str) -> str | None:
    """Python from the first code-looking line, cut to the longest prefix that parses."""
    opening = _OPEN_FENCE.search(text)
    if opening is not None:  # an opening fence that was never closed
        text = text[opening.end() :]
    start = _CODE_START.search(text)
    if start is None:
        return None
    lines = text[start.start() :].splitlines()[:_MAX_TRIM_LINES]
    while lines:
        source = "\n".join(lines).strip()
        try:
            ast.parse(source)
        except SyntaxError:
            lines.pop()
            continue
        return source + "\n" if source else None
    return None


def merge_python_blocks(blocks: Sequence[Block]) -> list[Block]:
    """One python program from all python blocks (later blocks use earlier definitions), then the others.

    A block repeated word for word (small models loop) is kept once, so it does not run twice.
    """
    python = list(dict.fromkeys(b.code for b in blocks if b.language.strip().lower() in PYTHON_LANGS))
    others = [b for b in blocks if b.language.strip().lower() not in PYTHON_LANGS]
    merged = [Block(language="python", code="\n\n".join(python))] if python else []
    return merged + others


def final_program(text: str) -> str | None:
    """The python program one coder message holds (its python blocks joined), or None."""
    for block in merge_python_blocks(extract_code_blocks(text)):
        if block.language == "python":
            return block.code
    return None


def said_done(text: str) -> bool:
    """The coder said DONE without new code (code in the same message still has to run).

    Both frameworks count it only once some program has run: a small model's first reply
    can be prose that merely mentions DONE.
    """
    return _DONE.search(text) is not None and not extract_code_blocks(text)


def ran_cleanly(exit_code: int, output: str) -> bool:
    """The run is the evidence: exit code 0 and something printed (a small model rarely says DONE)."""
    return exit_code == 0 and output.strip() not in ("", "(no output)") and not output.startswith(NO_OUTPUT)


async def run_program(code: str, limits: SandboxLimits | None = None, mode: SandboxMode | None = None) -> SandboxResult:
    """Run `code` in the sandbox (`limits`/`mode` None: from settings).

    A sandbox that refuses (no bubblewrap, code too large) is a failed run with the reason as
    its output, so the coder and the learner see why nothing ran.
    """
    try:
        return await run_python_async(code, limits, mode=mode)
    except SandboxError as exc:
        return SandboxResult(exit_code=1, stdout="", stderr=f"sandbox refused: {exc}")


def sandbox_output(result: SandboxResult) -> str:
    """One run's output as the executor returns it: the output of a clean run, else the sandbox's summary."""
    return result.output if result.ok else result.summary()


def reported_output(exit_code: int, output: str) -> str:
    """What the coder reads back and the reply shows, in the words AutoGen's CodeExecutorAgent uses,
    so a coder on CrewAI gets the same feedback as one on AutoGen."""
    if not output.strip():
        return (
            f"{NO_OUTPUT} The POSIX exit code was: {exit_code}. If you were expecting output, "
            "consider revising the script to ensure content is printed to stdout."
        )
    if exit_code != 0:
        return f"The script ran, then exited with an error (POSIX exit code: {exit_code})\nIts output was:\n{output}"
    return output


def coder_text(code: str, run: tuple[int, str] | None, closing: str = "") -> str:
    """The coder's reply: the final program, the (exit code, output) of its sandbox run, its closing words."""
    parts = [f"```python\n{code.rstrip()}\n```"] if code else []
    if run is not None:
        parts.append(f"Output (exit code {run[0]}):\n{run[1].rstrip()}")
    if closing.strip():
        parts.append(closing.strip())
    return "\n\n".join(parts)


def run_steps(coder: str, code: str, exit_code: int, output: str) -> list[tuple[str, dict[str, Any]]]:
    """The events of one sandbox run, as both frameworks report it: the code, the execution, the output message."""
    return [
        ("code", {"source": coder, "code": code, "languages": ["python"]}),
        ("execution", {"source": EXECUTOR, "exit_code": exit_code, "output": output}),
        ("message", {"source": EXECUTOR, "content": output}),
    ]


def as_step(kind: str, data: dict[str, Any]) -> AgentStep:
    """The reply step for one run event ("code", "execution" or "message")."""
    content = {
        "code": data.get("code"),
        "execution": f"exit code {data.get('exit_code')}\n{data.get('output', '')}",
        "message": data.get("content"),
    }[kind]
    return AgentStep(kind=kind, source=data["source"], content=str(content))  # type: ignore[arg-type]


async def _emit(on_event: EventCallback | None, kind: str, data: dict[str, Any]) -> None:
    if on_event is not None:
        result = on_event(kind, data)
        if inspect.isawaitable(result):
            await result


def unrun_program(reply: AgentReply) -> tuple[str, str] | None:
    """(coder source, program) when the coder's last code never reached the sandbox, else None."""
    last_code = next(
        (
            i
            for i in range(len(reply.steps) - 1, -1, -1)
            if reply.steps[i].kind == "message"
            and reply.steps[i].source != EXECUTOR
            and final_program(reply.steps[i].content)
        ),
        None,
    )
    if last_code is None:
        return None
    if any(step.kind == "execution" for step in reply.steps[last_code + 1 :]):
        return None
    step = reply.steps[last_code]
    program = final_program(step.content)
    return (step.source, program) if program else None


async def ensure_final_run(
    reply: AgentReply,
    *,
    on_event: EventCallback | None = None,
    limits: SandboxLimits | None = None,
    mode: SandboxMode | None = None,
) -> AgentReply:
    """`reply` with its final program run in the sandbox, if the framework stopped before running it.

    A coder cut off by its message cap has written code nothing ran; its reply would show
    that code above the previous program's output. A timed-out turn is left as it is: its
    time is up.
    """
    if reply.stop_reason == "timeout":
        return reply
    found = unrun_program(reply)
    if found is None:
        return reply
    coder, program = found
    result = await run_program(program, limits, mode)
    output = reported_output(result.exit_code, sandbox_output(result))
    steps = list(reply.steps)
    for kind, data in run_steps(coder, program, result.exit_code, output):
        await _emit(on_event, kind, data)
        steps.append(as_step(kind, data))
    text = coder_text(program, (result.exit_code, output))
    return reply.model_copy(update={"steps": steps, "text": text})


__all__ = [
    "EXECUTOR",
    "NO_OUTPUT",
    "Block",
    "coder_text",
    "ensure_final_run",
    "extract_code_blocks",
    "final_program",
    "merge_python_blocks",
    "ran_cleanly",
    "reported_output",
    "run_program",
    "run_steps",
    "said_done",
    "sandbox_output",
    "unfenced_python",
    "unrun_program",
]
