"""Tests for a code search: read from a spec's examples or an evaluator's reply, run one by one, reported.

A test is an expression and, usually, the value it must equal (`CodeTest`). The harness
(`harness_program`) appends every test to the candidate program, each in its own try block, and
prints one marked JSON line per test, so one crashing test cannot hide the others; the
marker carries a nonce the caller picks, so a program cannot forge a pass by printing one.
Floats compare with a tolerance, as HumanEval's checks do.
"""

from __future__ import annotations

import ast
import builtins
import json
import re
from dataclasses import dataclass
from typing import Literal

CodeTestOrigin = Literal["visible", "evaluator"]
CodeTestStatus = Literal["passed", "failed", "error", "not run"]
_FENCE = re.compile(r"```[ \t]*(?:python3?|py)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL | re.IGNORECASE)
#: "f(1) ➞ 2", "f(1) == 2", "f(1) => 2", "f(1) -> 2", "f(1) returns 2", "f(1) should return 2" (a bare
#: "f(1) = 2" is left out: specs use it for definitions such as a recurrence, not for examples)
_ARROW = re.compile(
    r"^\s*(?:==>|==|➞|=>|->|→|#\s*(?:returns?|=>|->)|returns?|should\s+return|should\s+be)\s*(.+)$",
    re.IGNORECASE,
)
#: How spec prose writes Python's constants.
_PROSE_CONSTANTS = {"true": "True", "false": "False", "none": "None", "null": "None"}
_BUILTINS = frozenset(dir(builtins))
#: At most this many tests run per candidate (a value moves by 10/n per test).
MAX_TESTS = 20


@dataclass(frozen=True)
class CodeTest:
    """`expr` must equal `expected` (or be truthy when `expected` is None)."""

    expr: str
    expected: str | None
    origin: CodeTestOrigin

    @property
    def source(self) -> str:
        """The test as one assert line."""
        return f"assert {self.expr} == {self.expected}" if self.expected is not None else f"assert {self.expr}"


@dataclass(frozen=True)
class CodeTestOutcome:
    """How one test fared on one candidate."""

    test: CodeTest
    status: CodeTestStatus
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def _parses(expr: str) -> bool:
    try:
        ast.parse(expr, mode="eval")
    except SyntaxError:
        return False
    return True


def _is_literal(expr: str) -> bool:
    try:
        ast.literal_eval(expr)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True


def _calls(expr: str, entry_point: str) -> bool:
    """The expression calls `entry_point` and names nothing else but builtins (so it runs as written)."""
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        return False
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    if not names <= {entry_point, *_BUILTINS}:
        return False
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == entry_point
        for node in ast.walk(tree)
    )


def _balanced_call(text: str, start: int) -> int | None:
    """The index just past the ')' that closes the '(' at or after `start`, or None."""
    opening = text.find("(", start)
    if opening < 0:
        return None
    depth, quote = 0, ""
    for i in range(opening, len(text)):
        char = text[i]
        if quote:
            if char == quote and text[i - 1] != "\\":
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _expected(tail: str) -> str | None:
    """The literal a test line ends with ("2.", "'abc' # note" -> "2", "'abc'"), or None."""
    candidate = tail.split("#", 1)[0].strip() if not tail.lstrip().startswith(("'", '"')) else tail.strip()
    for cut in (candidate, candidate.rstrip(".,;")):
        cut = _PROSE_CONSTANTS.get(cut.lower(), cut)
        if cut and _is_literal(cut):
            return cut
    return None


def _unprinted(expr: str, output: str) -> str:
    """`print(x)` shown with a non-string output is the value of `x` (print itself returns None)."""
    try:
        tree = ast.parse(expr, mode="eval").body
    except SyntaxError:
        return expr
    printed = isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id == "print"
    if printed and isinstance(tree, ast.Call) and len(tree.args) == 1 and not output.startswith(("'", '"')):
        return ast.unparse(tree.args[0])
    return expr


def doctest_cases(prompt: str, entry_point: str) -> list[CodeTest]:
    """The examples in a spec's docstring as tests: `>>> f(x)` with its output on the next line,
    or one line such as `f(x) ➞ y` / `f(x) == y`. Examples that are not a call of `entry_point`
    with a literal result are skipped (they cannot be checked exactly)."""
    lines = prompt.splitlines()
    found: list[CodeTest] = []
    for i, raw in enumerate(lines):
        line = raw.strip()
        if line.startswith(">>>"):
            expr = line[3:].strip()
            output = lines[i + 1].strip() if i + 1 < len(lines) else ""
            expr = _unprinted(expr, output)
            if output and not output.startswith(">>>") and _calls(expr, entry_point) and _is_literal(output):
                found.append(CodeTest(ast.unparse(ast.parse(expr, mode="eval")), output, "visible"))  # drops comments
            continue
        at = line.find(f"{entry_point}(")
        if at < 0 or (at > 0 and (line[at - 1].isalnum() or line[at - 1] in "_.")) or line.startswith("def "):
            continue
        end = _balanced_call(line, at)
        if end is None:
            continue
        arrow = _ARROW.match(line[end:])
        expected = _expected(arrow.group(1)) if arrow else None
        expr = line[at:end]
        if expected is not None and _parses(expr) and _calls(expr, entry_point):
            found.append(CodeTest(expr, expected, "visible"))
    return dedupe(found)


def assert_cases(text: str, entry_point: str | None, origin: CodeTestOrigin = "evaluator") -> list[CodeTest]:
    """The `assert` lines in a reply (fenced or not) that call `entry_point` (any call if None)."""
    blocks = _FENCE.findall(text) or [text]
    found: list[CodeTest] = []
    for block in blocks:
        for raw in block.splitlines():
            line = raw.strip()
            if not line.startswith("assert "):
                continue
            case = _assert_case(line, entry_point, origin)
            if case is not None:
                found.append(case)
    return dedupe(found)


def _assert_case(line: str, entry_point: str | None, origin: CodeTestOrigin) -> CodeTest | None:
    try:
        tree = ast.parse(line)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assert):
        return None
    test = tree.body[0].test
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
        expr, expected = ast.unparse(test.left), ast.unparse(test.comparators[0])
        if _calls(expected, entry_point or "") and not _calls(expr, entry_point or ""):
            expr, expected = expected, expr
    else:
        expr, expected = ast.unparse(test), None
    has_call = any(isinstance(n, ast.Call) for n in ast.walk(test))
    if (entry_point and not _calls(expr, entry_point)) or not has_call:
        return None
    return CodeTest(expr, expected, origin)


def test_problem(case: CodeTest, entry_point: str) -> str | None:
    """Why a written test cannot test `entry_point` as written (None: it can)."""
    names = {node.id for node in ast.walk(ast.parse(case.expr, mode="eval")) if isinstance(node, ast.Name)}
    if entry_point not in names:
        return f"does not call {entry_point}"
    undefined = sorted(names - _BUILTINS - {entry_point})
    if undefined:
        return f"uses names it does not define: {', '.join(undefined)}"
    return None


test_problem.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def dedupe(cases: list[CodeTest]) -> list[CodeTest]:
    """Each expression once (its first expected value wins), in order."""
    seen: set[str] = set()
    kept = []
    for case in cases:
        key = ast.unparse(ast.parse(case.expr, mode="eval"))
        if key not in seen:
            seen.add(key)
            kept.append(case)
    return kept


def conflicts(case: CodeTest, known: list[CodeTest]) -> CodeTest | None:
    """A known test on the same expression that expects a different value (the known one wins)."""
    key = ast.unparse(ast.parse(case.expr, mode="eval"))
    for other in known:
        if ast.unparse(ast.parse(other.expr, mode="eval")) != key:
            continue
        if other.expected is None or case.expected is None:
            return None
        same = _is_literal(other.expected) and _is_literal(case.expected)
        if same and ast.literal_eval(other.expected) != ast.literal_eval(case.expected):
            return other
    return None


_HARNESS = """

def __thinkroom_close(got, want):
    import math
    if isinstance(got, float) or isinstance(want, float):
        try:
            return math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-6)
        except TypeError:
            return False
    if isinstance(got, (list, tuple)) and isinstance(want, (list, tuple)):
        return type(got) is type(want) and len(got) == len(want) and all(
            __thinkroom_close(g, w) for g, w in zip(got, want)
        )
    return got == want


def __thinkroom_report(index, status, detail):
    import json, sys
    sys.stdout.flush()
    print({marker!r} + json.dumps({{"i": index, "status": status, "detail": str(detail)[:300]}}), flush=True)

"""

_ONE_TEST = """
try:
    __thinkroom_got = ({expr})
    if {check}:
        __thinkroom_report({index}, "passed", "")
    else:
        __thinkroom_report({index}, "failed", "got " + repr(__thinkroom_got)[:200])
except BaseException as __thinkroom_error:
    __thinkroom_report({index}, "error", type(__thinkroom_error).__name__ + ": " + str(__thinkroom_error))
"""


def harness_program(program: str, tests: list[CodeTest], nonce: str) -> str:
    """`program` followed by each test in its own try block, each reporting one marked JSON line."""
    marker = f"@@thinkroom-test-{nonce}@@"
    parts = [program.rstrip() + "\n", _HARNESS.format(marker=marker)]
    for index, case in enumerate(tests):
        check = (
            f"__thinkroom_close(__thinkroom_got, ({case.expected}))"
            if case.expected is not None
            else "bool(__thinkroom_got)"
        )
        parts.append(_ONE_TEST.format(expr=case.expr, check=check, index=index))
    return "".join(parts)


def read_report(
    stdout: str, stderr: str, tests: list[CodeTest], nonce: str, *, timed_out: bool = False
) -> list[CodeTestOutcome]:
    """Each test's outcome from the harness's marked lines; a test with no line did not run (the
    program crashed before it, or the time ran out), and says why."""
    marker = f"@@thinkroom-test-{nonce}@@"
    reported: dict[int, tuple[str, str]] = {}
    for line in stdout.splitlines():
        at = line.find(marker)
        if at < 0:
            continue
        try:
            data = json.loads(line[at + len(marker) :])
            reported[int(data["i"])] = (str(data["status"]), str(data.get("detail", "")))
        except (ValueError, KeyError, TypeError):
            continue
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    why = "timed out" if timed_out else (lines[-1][:300] if lines else "the program stopped before this test")
    outcomes = []
    for index, case in enumerate(tests):
        status, detail = reported.get(index, ("not run", why))
        if status not in ("passed", "failed", "error"):
            status, detail = "not run", why
        outcomes.append(CodeTestOutcome(case, status, detail))  # type: ignore[arg-type]
    return outcomes


def strip_checks(program: str) -> str:
    """The program without its own top-level checks (prints, asserts, a `__main__` block): the
    search's tests judge it, and a wrong self-check must not fail a right function."""
    try:
        tree = ast.parse(program)
    except SyntaxError:
        return program
    kept = [node for node in tree.body if not _is_check(node)]
    if len(kept) == len(tree.body):
        return program
    lines = program.splitlines(keepends=True)
    dropped = [node for node in tree.body if _is_check(node)]
    for node in reversed(dropped):
        start = node.lineno - 1
        end = node.end_lineno or node.lineno
        del lines[start:end]
    return "".join(lines)


def _is_check(node: ast.stmt) -> bool:
    if isinstance(node, ast.Assert):
        return True
    if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant):  # a docstring stays
        return True
    if isinstance(node, ast.If):
        test = ast.unparse(node.test).replace("'", '"')
        return test in ('__name__ == "__main__"', '"__main__" == __name__')
    return False


def defined_functions(program: str) -> list[str]:
    """Top-level function names a program defines, in order (empty if it does not parse)."""
    try:
        tree = ast.parse(program)
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def called_function(tests: list[CodeTest]) -> str | None:
    """The function the first test calls by name (the entry point a task's tests name)."""
    for case in tests:
        tree = ast.parse(case.expr, mode="eval")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                return node.func.id
    return None


__all__ = [
    "MAX_TESTS",
    "CodeTest",
    "CodeTestOutcome",
    "assert_cases",
    "called_function",
    "conflicts",
    "dedupe",
    "defined_functions",
    "doctest_cases",
    "harness_program",
    "read_report",
    "strip_checks",
    "test_problem",
]
