"""What a code turn produces on either framework: the final program run in the sandbox, reported one way."""

from __future__ import annotations

from agents.code_turn import (
    NO_OUTPUT,
    Block,
    coder_text,
    ensure_final_run,
    extract_code_blocks,
    final_program,
    merge_python_blocks,
    ran_cleanly,
    reported_output,
    run_program,
    said_done,
    unrun_program,
)
from agents.personas import AgentReply, AgentStep
from agents.sandbox import MAX_CODE_BYTES
from tests.agents.autogen.conftest import needs_bwrap

PROGRAM = "print(6 * 7)\n"


def reply(*steps: tuple[str, str, str], stop: str = "max_messages") -> AgentReply:
    return AgentReply(
        persona="coder",
        framework="autogen",
        text="before",
        steps=[AgentStep(kind=k, source=s, content=c) for k, s, c in steps],  # type: ignore[arg-type]
        stop_reason=stop,
    )


def test_the_run_is_reported_in_one_wording() -> None:
    assert reported_output(0, "42\n") == "42\n"
    assert reported_output(1, "Traceback").startswith("The script ran, then exited with an error (POSIX exit code: 1)")
    assert reported_output(0, "  ").startswith(NO_OUTPUT) and "exit code was: 0" in reported_output(0, "")


def test_only_a_run_that_printed_is_clean() -> None:
    assert ran_cleanly(0, "42\n")
    assert (
        not ran_cleanly(1, "42\n") and not ran_cleanly(0, reported_output(0, "")) and not ran_cleanly(0, "(no output)")
    )


def test_prose_naming_a_fence_opens_no_code_block() -> None:
    echoed = "2. Your answer should be one complete ```python code block that prints a check.\n3. Be brief."
    assert extract_code_blocks(echoed) == []
    assert extract_code_blocks(f"Answer: ```python\n{PROGRAM}```") == [Block("python", PROGRAM)]


def test_a_block_repeated_word_for_word_runs_once() -> None:
    looped = [Block("python", PROGRAM), Block("python", "x = 1\n"), Block("python", PROGRAM)]
    assert merge_python_blocks(looped) == [Block("python", f"{PROGRAM}\n\nx = 1\n")]


def test_done_counts_only_without_new_code() -> None:
    assert said_done("It prints 42. DONE") and not said_done(f"DONE\n```python\n{PROGRAM}```")
    assert not said_done("ABANDONED")


def test_the_reply_text_is_program_output_and_closing_words() -> None:
    assert (
        coder_text(PROGRAM, (0, "42\n"), " Works. ")
        == f"```python\n{PROGRAM}```\n\nOutput (exit code 0):\n42\n\nWorks."
    )
    assert coder_text("", None) == "" and final_program("no code here") is None


async def test_a_sandbox_that_refuses_is_a_failed_run_not_a_crash() -> None:
    result = await run_program("#" * (MAX_CODE_BYTES + 1))
    assert result.exit_code == 1 and result.stderr.startswith("sandbox refused: code is")


def test_a_program_counts_as_run_only_when_an_execution_follows_it() -> None:
    code_message = ("message", "coder", f"```python\n{PROGRAM}```")
    ran = ("execution", "executor", "exit code 0\n42\n")
    assert unrun_program(reply(code_message)) == ("coder", PROGRAM)
    assert unrun_program(reply(code_message, ran)) is None
    assert unrun_program(reply(code_message, ran, ("message", "coder", "DONE"))) is None
    assert unrun_program(reply(ran, code_message)) == ("coder", PROGRAM)


@needs_bwrap
async def test_an_unrun_final_program_is_run_and_reported() -> None:
    events: list[tuple[str, dict[str, object]]] = []
    before = reply(("message", "coder", f"```python\n{PROGRAM}```"))
    after = await ensure_final_run(before, on_event=lambda k, d: events.append((k, d)))
    assert [(s.kind, s.source) for s in after.steps[1:]] == [
        ("code", "coder"),
        ("execution", "executor"),
        ("message", "executor"),
    ]
    assert after.steps[2].content == "exit code 0\n42\n" and after.text == coder_text(PROGRAM, (0, "42\n"))
    assert [k for k, _ in events] == ["code", "execution", "message"] and after.stop_reason == "max_messages"


async def test_a_run_program_or_a_timed_out_turn_is_left_alone() -> None:
    done = reply(("message", "coder", f"```python\n{PROGRAM}```"), ("execution", "executor", "exit code 0\n42\n"))
    assert await ensure_final_run(done) is done
    timed_out = reply(("message", "coder", f"```python\n{PROGRAM}```"), stop="timeout")
    assert await ensure_final_run(timed_out) is timed_out
