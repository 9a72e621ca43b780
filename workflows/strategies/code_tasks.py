"""What the code search asks its personas, and how it reads a coder's reply into a candidate program.

Small models answer in every shape: a fenced block, unfenced code, a function body that goes
on from the prompt (often without its first line's indent), prose, or an echo of their own
instructions. `read_candidate` turns a reply into (program, completion, problem): a program
to run, or the reason there is none, never a guess.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from agents.code_turn import final_program
from agents.reasoning import echoes_prompt, persona_sources
from tools.evals.code import completion_from_reply
from tools.reasoning.code_tests import defined_functions, strip_checks

if TYPE_CHECKING:
    from .code_tree import CodeNode, CodeTreeState

#: Failures shown to the coder when it refines a candidate (and to the evaluator when it reviews one).
SHOWN_FAILURES = 5


def tests_task(state: CodeTreeState) -> str:
    entry, count = state.entry_point, state.config.evaluator_tests
    return (
        f"Write {count} test cases for the Python function `{entry}` described below, one assert statement "
        f"per line, like:\nassert {entry}(...) == ...\n\n{state.spec.strip()}"
    )


def propose_task(state: CodeTreeState) -> str:
    """The coder's task: the spec (or code to complete), and the visible tests when they are not in it."""
    if state.code_prefix:
        return (
            "Complete this Python function. Reply with the whole function in one ```python code block.\n\n"
            f"{state.code_prefix}"
        )
    shown = [t["source"] for t in state.tests if t["origin"] == "visible" and t["source"] not in state.spec]
    tests = "\n\nIt must pass:\n" + "\n".join(shown) if shown else ""
    return (
        f"{state.spec.strip()}{tests}\n\nReply with one complete ```python code block that defines "
        f"`{state.entry_point}`."
    )


def refine_task(state: CodeTreeState, parent: CodeNode) -> str:
    """The coder's task for a corrected version: its program and the tests it failed."""
    failures = sorted(parent.failures(), key=lambda o: o["origin"] != "visible")[:SHOWN_FAILURES]
    lines = [
        f"- {o['source']}  ({o['status']}: {o['detail']})" if o["detail"] else f"- {o['source']}" for o in failures
    ]
    shown = parent.completion if state.code_prefix and parent.completion else parent.program
    return (
        f"{propose_task(state)}\n\nYour previous program:\n```python\n{(shown or '').strip()}\n```\n"
        f"It failed these tests:\n" + "\n".join(lines) + "\n\nWrite the corrected complete function in one "
        "```python code block."
    )


def continuation(prefix: str, reply: str) -> str | None:
    """A reply that goes on with the prefix's function body, as a base model writes it ("    return x + y"):
    its longest leading part that parses after the prefix and is indented like a body."""
    lines = reply.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return None
    indented = [ln for ln in lines[1:] if ln.strip() and ln.startswith((" ", "\t"))]
    if not lines[0].startswith((" ", "\t")):
        if not indented and len(lines) > 1:
            return None  # unindented lines: prose or top-level code, not a body
        lines[0] = "    " + lines[0]  # "Answer: result = 0" - the model dropped the first line's indent
    while lines:
        body = "\n".join(lines).rstrip() + "\n"
        try:
            tree = ast.parse(prefix + body)
        except SyntaxError:
            lines.pop()
            continue
        return body if _extends_a_function(tree, prefix) else None
    return None


def _extends_a_function(tree: ast.Module, prefix: str) -> bool:
    """The body went into the prefix's last function (its statements are more than the docstring)."""
    functions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not functions:
        return False
    last = functions[-1]
    body = last.body[1:] if last.body and isinstance(last.body[0], ast.Expr) else last.body
    return bool(body) and (last.end_lineno or 0) > len(prefix.rstrip().splitlines())


def _squashed(text: str) -> str:
    return " ".join(text.split())


def read_candidate(state: CodeTreeState, reply: str, task: str) -> tuple[str | None, str | None, str | None]:
    """(program, completion, problem) from a coder reply: its code completed onto the prefix, self-checks removed."""
    code = final_program(reply)
    body = continuation(state.code_prefix, reply) if code is None and state.code_prefix else None
    if body is not None:
        return strip_checks(state.code_prefix + body), body, None
    sources = persona_sources(state.config.coder, task)
    if code is None:
        echoed = echoes_prompt(reply, sources)
        return None, None, "the reply only echoed its prompt" if echoed else "no Python code in the reply"
    echoed_example = _squashed(code) and any(_squashed(code) in _squashed(source) for source in sources[1:])
    if echoed_example and state.entry_point not in defined_functions(code):
        return None, None, "the code is the persona's own example, echoed"
    completion = code
    if state.code_prefix:
        completion = completion_from_reply(f"```python\n{code.rstrip()}\n```", state.code_prefix, state.entry_point)
        if not completion.strip():
            return None, None, "the code only repeats the prompt"
    program = strip_checks((state.code_prefix + completion) if state.code_prefix else code)
    try:
        ast.parse(program)
    except SyntaxError as exc:
        return program, completion, f"syntax error: {exc.msg} (line {exc.lineno})"
    if state.entry_point and state.entry_point not in defined_functions(program):
        return program, completion, f"does not define {state.entry_point}"
    return program, completion, None


def review_task(state: CodeTreeState, node: CodeNode) -> str:
    failures = node.failures()[:SHOWN_FAILURES]
    lines = "\n".join(f"- {o['source']}: {o['status']} {o['detail']}".rstrip() for o in failures) or "- none"
    return (
        f"Review this Python solution.\nTask:\n{state.spec.strip()}\n\nProgram:\n```python\n"
        f"{(node.program or '').strip()}\n```\nTests: {node.passed} of {node.total} passed. Failures:\n{lines}\n\n"
        "Score it from 0 to 10 for correctness and give short reasons."
    )


__all__ = [
    "SHOWN_FAILURES",
    "continuation",
    "propose_task",
    "read_candidate",
    "refine_task",
    "review_task",
    "tests_task",
]
