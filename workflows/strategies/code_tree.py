"""Code by tree search: the coder proposes, the sandbox tests, the evaluator values, BFS keeps the best.

The search test-guided code generation papers describe (LATS, Reflexion), with the
personas doing the steps and the bwrap sandbox as the judge:

1. tests:    the visible tests (given, or read from the spec's docstring examples), plus up to
             `evaluator_tests` asserts the evaluator persona writes from the spec; one that
             contradicts a visible test, names another function or does not parse is rejected
             (kept in `rejected_tests` with the reason).
2. expand:   the coder persona proposes `k` candidate programs (level 0), then writes
             `refinements` corrected versions of each kept candidate, shown the tests it failed.
3. evaluate: every candidate runs against every test in the sandbox, each test in its own try
             block (`tools.reasoning.code_tests`); unless a candidate passed them all, the
             evaluator persona reviews each one (its grade turn, shown the test results).
             value = 10 x the pass rate (visible tests count twice: the evaluator's are the
             model's guesses) + review / 20, so a review only orders candidates that pass the
             same tests.
4. select:   BFS keeps the best `breadth` of the new candidates and the kept ones before them.
5. stop:     when a candidate passes every test ("tests_pass") or after `depth` levels ("depth").

The answer is the best candidate of the whole tree: one that passes every test first, then
by value, then the earliest. Correctness comes from the sandbox: the model only writes
code, tests and reviews, and a reply with no code (or only an echo of its prompt) is a
candidate with a `problem`, never run. Every node records its persona and framework
(`persona`, `framework`, `valued_by`), its test outcomes and what it cost, and is streamed as
`code_tree.*` events. The state is JSON and every phase a separate step, so a graph can
checkpoint between them.
"""

from __future__ import annotations

import ast
import asyncio
import hashlib
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions
from agents.sandbox import SandboxError, SandboxLimits, run_python_async
from tools.grading.score import parse_reasons, parse_score
from tools.reasoning.code_tests import (
    MAX_TESTS,
    CodeTest,
    CodeTestOutcome,
    assert_cases,
    called_function,
    conflicts,
    doctest_cases,
    harness_program,
    read_report,
    test_problem,
)

from .base import Emit, Stopwatch, UsageTotals, emit_event
from .code_tasks import SHOWN_FAILURES, propose_task, read_candidate, refine_task, review_task, tests_task
from .config import persona_label
from .personas import persona_step
from .phases import SearchPhases

ROOT = "0"
Phase = Literal["tests", "expand", "evaluate", "select", "finish", "complete"]
NodeKind = Literal["root", "propose", "refine"]
_DEF = re.compile(r"^\s*def\s+([A-Za-z_]\w*)\s*\(", re.MULTILINE)


class CodeTreeConfig(BaseModel):
    """Who does each step and how wide and deep the search goes."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["code_tree"] = "code_tree"
    coder: str = Field(default="coder", description="the persona that proposes and refines programs")
    evaluator: str | None = Field(
        default="evaluator", description="the persona that writes tests and reviews candidates (None: tests only)"
    )
    k: int = Field(default=3, ge=1, le=16, description="candidates the coder proposes first")
    breadth: int = Field(default=2, ge=1, le=16, description="b: candidates kept per level")
    refinements: int = Field(default=1, ge=1, le=8, description="corrected versions written per kept candidate")
    depth: int = Field(default=3, ge=1, le=10, description="levels, the first proposals included")
    evaluator_tests: int = Field(default=3, ge=0, le=10, description="asserts the evaluator writes (0: none)")
    review: bool = Field(default=True, description="the evaluator reviews candidates that fail some test")
    review_max_tokens: int = Field(default=128, ge=16, description="a review is short: a score and a few reasons")
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    max_tokens: int = Field(default=512, ge=16)
    seed: int = 0
    test_timeout_s: float = Field(default=10.0, gt=0, le=120, description="sandbox time for one candidate's tests")
    max_concurrency: int = Field(default=2, ge=1, le=16)

    @field_validator("coder")
    @classmethod
    def _coder(cls, value: str) -> str:
        label = persona_label(value)
        if label is None:
            raise ValueError("the code search needs a coder persona")
        return label

    @field_validator("evaluator")
    @classmethod
    def _evaluator(cls, value: str | None) -> str | None:
        return persona_label(value)


class CodeNode(BaseModel):
    """One candidate program (the root is the task itself) and everything known about it."""

    id: str
    parent_id: str | None = None
    depth: int = 0
    kind: NodeKind = "propose"
    persona: str | None = None
    framework: str | None = None
    reply: str = Field(default="", description="the coder's reply (clipped)")
    program: str | None = Field(default=None, description="what ran: the code prefix + completion, self-checks removed")
    completion: str | None = Field(default=None, description="the program after the code prefix (HumanEval's form)")
    problem: str | None = Field(default=None, description="why the reply gave nothing to run")
    outcomes: list[dict[str, Any]] = Field(default_factory=list, description="per test: source, origin, status, detail")
    passed: int = 0
    total: int = 0
    review_score: float | None = None
    review: str | None = None
    valued_by: str | None = None
    value: float | None = None
    kept: bool | None = None
    pruned_reason: str | None = None
    duplicate_of: str | None = None
    usage: UsageTotals = Field(default_factory=UsageTotals)

    @property
    def all_passed(self) -> bool:
        return self.program is not None and self.total > 0 and self.passed == self.total

    def failures(self) -> list[dict[str, Any]]:
        return [o for o in self.outcomes if o["status"] != "passed"]


class CodeTreeState(BaseModel):
    """The whole search: tests, tree, frontier, progress; JSON via model_dump()."""

    spec: str
    code_prefix: str = Field(default="", description="code the candidates complete (HumanEval's prompt), or ''")
    entry_point: str | None = None
    config: CodeTreeConfig
    tests: list[dict[str, Any]] = Field(default_factory=list, description="expr, expected, origin")
    rejected_tests: list[dict[str, str]] = Field(default_factory=list)
    tests_by: str | None = Field(default=None, description="persona@framework that wrote the evaluator tests")
    nodes: dict[str, CodeNode] = Field(default_factory=dict)
    frontier: list[str] = Field(default_factory=list)
    candidates: list[str] = Field(default_factory=list)
    step: int = 0
    phase: Phase = "tests"
    done: bool = False
    stop_reason: str | None = None
    best_id: str | None = None
    answer: str | None = Field(default=None, description="the best candidate's program")
    passed: bool | None = Field(default=None, description="the answer passes every test")
    next_seed: int = 0
    history: list[dict[str, Any]] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    usage: UsageTotals = Field(default_factory=UsageTotals)

    def take_seed(self) -> int:
        seed = self.config.seed + self.next_seed
        self.next_seed += 1
        return seed

    def test_cases(self) -> list[CodeTest]:
        return [CodeTest(t["expr"], t.get("expected"), t["origin"]) for t in self.tests]


class CodeTreeResult(BaseModel):
    """What the search returns to a workflow or the arena."""

    program: str | None
    completion: str | None
    passed: bool
    tests_passed: int
    tests_total: int
    best_id: str | None
    stop_reason: str | None
    nodes: list[CodeNode]
    tests: list[dict[str, Any]]
    usage: UsageTotals
    wall_time_s: float
    trace: dict[str, Any]


# --------------------------------------------------------------------------- set-up


def entry_point_of(spec: str, tests: Sequence[CodeTest], given: str | None) -> str | None:
    """The function under test: given, else the one the tests call, else the spec's last `def`."""
    if given:
        return given
    called = called_function(list(tests))
    if called:
        return called
    found = _DEF.findall(spec)
    return found[-1] if found else None


def init_code_tree(
    spec: str,
    *,
    tests: Sequence[str] | None = None,
    code_prefix: str = "",
    entry_point: str | None = None,
    config: CodeTreeConfig | None = None,
) -> CodeTreeState:
    """A fresh search. `tests` are assert lines (None: the spec's docstring examples); ValueError for
    a test that is not an assert calling a function, or nothing to test at all."""
    config = config or CodeTreeConfig()
    visible: list[CodeTest] = []
    for line in tests or []:
        found = assert_cases(line, None, "visible")
        if not found:
            raise ValueError(f"a test must be an assert that calls the function, e.g. 'assert f(1) == 2': {line!r}")
        visible.extend(found)
    entry = entry_point_of(code_prefix or spec, visible, entry_point)
    if tests is None and entry:
        visible = doctest_cases(code_prefix or spec, entry)
    if entry is None:
        raise ValueError(
            "the tree search needs something to test: give 'tests' (assert lines) or 'entry_point', "
            "or a 'def' signature in the task"
        )
    root = CodeNode(id=ROOT, kind="root", kept=True)
    return CodeTreeState(
        spec=spec,
        code_prefix=code_prefix,
        entry_point=entry,
        config=config,
        tests=[_test_dict(t) for t in visible[:MAX_TESTS]],
        nodes={ROOT: root},
        frontier=[ROOT],
        phase="tests" if config.evaluator and config.evaluator_tests else "expand",
    )


def _test_dict(case: CodeTest) -> dict[str, Any]:
    return {"expr": case.expr, "expected": case.expected, "origin": case.origin, "source": case.source}


async def write_tests(state: CodeTreeState, gateway: Gateway, emit: Emit | None = None) -> CodeTreeState:
    """The evaluator writes asserts from the spec; each kept one is a test, each rejected one says why."""
    new = state.model_copy(deep=True)
    label = new.config.evaluator
    if label is not None and new.config.evaluator_tests > 0:
        options = GenerationOptions(temperature=0.0, max_tokens=new.config.max_tokens, seed=new.take_seed())
        reply, usage = await persona_step(label, "propose", tests_task(new), gateway, options)
        new.usage = new.usage.merged(usage)
        new.tests_by = reply.label
        if not reply.ok:
            new.errors.append(f"{reply.label}: {reply.error}"[:300])
        visible = new.test_cases()
        added: list[CodeTest] = []
        for case in assert_cases(reply.text, None, "evaluator"):
            reason = _test_problem(case, visible + added, new.entry_point)
            if reason is not None:
                new.rejected_tests.append({"source": case.source, "reason": reason})
            elif len(added) < new.config.evaluator_tests:
                added.append(case)
        room = max(0, MAX_TESTS - len(visible))
        new.tests.extend(_test_dict(t) for t in added[:room])
        emit_event(
            emit,
            "code_tree.tests",
            {
                "persona": reply.persona,
                "framework": reply.framework,
                "tests": [t["source"] for t in new.tests],
                "rejected": new.rejected_tests,
            },
        )
    if not new.tests and new.entry_point:  # nothing else to go on: the program must at least define it
        new.tests.append(_test_dict(CodeTest(f"callable({new.entry_point})", None, "visible")))
    new.phase = "expand"
    return new


def _test_problem(case: CodeTest, known: list[CodeTest], entry_point: str | None) -> str | None:
    if entry_point and (problem := test_problem(case, entry_point)) is not None:
        return problem
    if any(_same_expr(case, other) for other in known):
        clash = conflicts(case, known)
        return f"contradicts the test {clash.source}" if clash is not None else "repeats a test"
    return None


def _same_expr(a: CodeTest, b: CodeTest) -> bool:
    return ast.unparse(ast.parse(a.expr, mode="eval")) == ast.unparse(ast.parse(b.expr, mode="eval"))


# --------------------------------------------------------------------------- expand


async def expand(state: CodeTreeState, gateway: Gateway, emit: Emit | None = None) -> CodeTreeState:
    """Level 0: `k` proposals from the root; later levels: `refinements` per kept candidate."""
    new = state.model_copy(deep=True)
    cfg = new.config
    jobs: list[tuple[CodeNode, NodeKind, str, int]] = []
    for pid in new.frontier:
        parent = new.nodes[pid]
        if pid == ROOT:
            jobs.extend((parent, "propose", propose_task(new), new.take_seed()) for _ in range(cfg.k))
        else:
            jobs.extend((parent, "refine", refine_task(new, parent), new.take_seed()) for _ in range(cfg.refinements))
    limit = asyncio.Semaphore(cfg.max_concurrency)

    async def one(task: str, seed: int) -> Any:
        options = GenerationOptions(temperature=cfg.temperature, max_tokens=cfg.max_tokens, seed=seed)
        async with limit:
            return await persona_step(cfg.coder, "propose", task, gateway, options)

    replies = await asyncio.gather(*(one(task, seed) for _, _, task, seed in jobs))
    children: list[str] = []
    for (parent, kind, task, _), (reply, usage) in zip(jobs, replies, strict=True):
        new.usage = new.usage.merged(usage)
        if not reply.ok:
            new.errors.append(f"{reply.label}: {reply.error}"[:300])
            continue
        program, completion, problem = read_candidate(new, reply.text, task)
        node = CodeNode(
            id=str(len(new.nodes)),
            parent_id=parent.id,
            depth=parent.depth + 1,
            kind=kind,
            persona=reply.persona,
            framework=reply.framework,
            reply=reply.text[:4000],
            program=program,
            completion=completion,
            problem=problem,
            usage=usage,
        )
        new.nodes[node.id] = node
        children.append(node.id)
        emit_event(
            emit,
            "code_tree.node",
            {
                "node_id": node.id,
                "parent_id": node.parent_id,
                "depth": node.depth,
                "kind": kind,
                "persona": node.persona,
                "framework": node.framework,
                "program": (program or "")[:2000],
                "problem": problem,
            },
        )
    if not children and all(r.failure is not None for r, _ in replies) and replies:
        first = replies[0][0].failure
        if first is not None and len(new.nodes) == 1:  # nothing has ever succeeded: the backend's error
            raise first
    carried = [i for i in new.frontier if i != ROOT]
    new.candidates = carried + children
    new.phase = "evaluate"
    return new


# --------------------------------------------------------------------------- evaluate


def _program_key(program: str) -> str:
    try:
        normal = ast.unparse(ast.parse(program))
    except SyntaxError:
        normal = program
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()[:16]


async def run_tests(program: str, tests: list[CodeTest], timeout_s: float, nonce: str) -> list[CodeTestOutcome]:
    """Every test on `program` in one sandbox run; SandboxUnavailable (no bwrap) propagates."""
    source = harness_program(program, tests, nonce)
    try:
        result = await run_python_async(source, SandboxLimits(timeout_s=timeout_s))
    except SandboxError as exc:
        if type(exc).__name__ == "SandboxUnavailable":
            raise
        return read_report("", f"sandbox refused: {exc}", tests, nonce)
    return read_report(result.stdout, result.stderr, tests, nonce, timed_out=result.timed_out)


def _outcome_dict(outcome: CodeTestOutcome) -> dict[str, Any]:
    return {
        "source": outcome.test.source,
        "origin": outcome.test.origin,
        "status": outcome.status,
        "detail": outcome.detail,
    }


def pass_rate(node: CodeNode) -> float:
    """Share of tests passed, visible tests counting twice."""
    weights = [2.0 if o["origin"] == "visible" else 1.0 for o in node.outcomes]
    won = sum(w for w, o in zip(weights, node.outcomes, strict=True) if o["status"] == "passed")
    return won / sum(weights) if weights else 0.0


async def evaluate(state: CodeTreeState, gateway: Gateway, emit: Emit | None = None) -> CodeTreeState:
    """Run each new candidate's tests in the sandbox; review them unless one passed everything; value them."""
    new = state.model_copy(deep=True)
    cfg = new.config
    tests = new.test_cases()
    todo = [new.nodes[i] for i in new.candidates if new.nodes[i].value is None]
    seen = {_program_key(n.program): n.id for n in new.nodes.values() if n.program and n.value is not None}
    to_run: list[CodeNode] = []
    for node in todo:
        if node.program is None or (node.problem or "").startswith("syntax error"):
            node.total = len(tests)
            node.outcomes = [
                {"source": t.source, "origin": t.origin, "status": "not run", "detail": node.problem or ""}
                for t in tests
            ]
            continue
        key = _program_key(node.program)
        if key in seen:
            node.duplicate_of = seen[key]
            continue
        seen[key] = node.id
        to_run.append(node)
    limit = asyncio.Semaphore(cfg.max_concurrency)

    async def test_one(node: CodeNode) -> list[CodeTestOutcome]:
        nonce = hashlib.sha1(f"{cfg.seed}:{node.id}:{node.program}".encode()).hexdigest()[:12]
        async with limit:
            return await run_tests(node.program or "", tests, cfg.test_timeout_s, nonce)

    for node, outcomes in zip(to_run, await asyncio.gather(*(test_one(n) for n in to_run)), strict=True):
        node.outcomes = [_outcome_dict(o) for o in outcomes]
        node.passed, node.total = sum(o.passed for o in outcomes), len(outcomes)
    for node in todo:
        if node.duplicate_of is not None:
            original = new.nodes[node.duplicate_of]
            node.outcomes, node.passed, node.total = list(original.outcomes), original.passed, original.total
        emit_event(
            emit,
            "code_tree.test",
            {
                "node_id": node.id,
                "passed": node.passed,
                "total": node.total,
                "failures": [o["source"] for o in node.failures()][:SHOWN_FAILURES],
                "duplicate_of": node.duplicate_of,
            },
        )
    solved = any(n.all_passed for n in todo)
    if cfg.review and cfg.evaluator is not None and not solved:
        await _review(new, [n for n in to_run], gateway)
    for node in todo:
        if node.duplicate_of is not None:
            original = new.nodes[node.duplicate_of]
            node.review_score, node.review, node.valued_by = original.review_score, original.review, original.valued_by
        review = (node.review_score or 0.0) / 20 if node.review_score is not None else 0.0
        node.value = round(10 * pass_rate(node) + review, 4) if node.program is not None else 0.0
        emit_event(
            emit,
            "code_tree.value",
            {
                "node_id": node.id,
                "value": node.value,
                "passed": node.passed,
                "total": node.total,
                "review_score": node.review_score,
                "valued_by": node.valued_by,
            },
        )
    new.phase = "select"
    return new


async def _review(state: CodeTreeState, nodes: list[CodeNode], gateway: Gateway) -> None:
    """The evaluator's grade turn on each candidate (concurrently); its score and reasons go on the node."""
    label = state.config.evaluator
    if label is None:
        return
    limit = asyncio.Semaphore(state.config.max_concurrency)

    async def one(node: CodeNode) -> Any:
        options = GenerationOptions(temperature=0.0, max_tokens=state.config.review_max_tokens, seed=state.take_seed())
        async with limit:
            return await persona_step(label, "evaluate", review_task(state, node), gateway, options, graded=True)

    for node, (reply, usage) in zip(nodes, await asyncio.gather(*(one(n) for n in nodes)), strict=True):
        state.usage = state.usage.merged(usage)
        node.usage = node.usage.merged(usage)
        node.valued_by = reply.label
        if not reply.ok:
            state.errors.append(f"{reply.label}: {reply.error}"[:300])
            continue
        node.review_score = parse_score(reply.text)
        node.review = parse_reasons(reply.text) or reply.text[:500]


# --------------------------------------------------------------------------- select + finish


def _rank(node: CodeNode) -> tuple[int, float, int]:
    return (int(node.all_passed), node.value or 0.0, -int(node.id))


def select(state: CodeTreeState, emit: Emit | None = None) -> CodeTreeState:
    """Keep the best `breadth` candidates; stop once one passes every test or the depth runs out."""
    new = state.model_copy(deep=True)
    cfg = new.config
    ranked = sorted(new.candidates, key=lambda i: _rank(new.nodes[i]), reverse=True)
    runnable = [i for i in ranked if new.nodes[i].program is not None and new.nodes[i].duplicate_of is None]
    kept = runnable[: cfg.breadth]
    for rank, node_id in enumerate(ranked, 1):
        node = new.nodes[node_id]
        node.kept = node_id in kept
        if node.kept:
            node.pruned_reason = None
        elif node.duplicate_of is not None:
            node.pruned_reason = f"duplicate of {node.duplicate_of}"
        elif node.program is None:
            node.pruned_reason = node.problem or "nothing to run"
        else:
            node.pruned_reason = f"not selected at level {new.step} (rank {rank})"
    new.history.append(
        {
            "step": new.step,
            "candidates": list(new.candidates),
            "selected": kept,
            "values": [new.nodes[i].value for i in new.candidates],
        }
    )
    emit_event(
        emit,
        "code_tree.select",
        {"step": new.step, "kept_ids": kept, "pruned_ids": [i for i in ranked if i not in kept]},
    )
    # nothing ran at all: the next level proposes afresh from the task (new seeds) instead of stopping
    new.frontier, new.candidates = kept or [ROOT], []
    new.step += 1
    if any(new.nodes[i].all_passed for i in kept):
        new.done, new.stop_reason = True, "tests_pass"
    elif new.step >= cfg.depth:
        new.done, new.stop_reason = True, "depth" if any(n.program for n in new.nodes.values()) else "no_candidates"
    new.phase = "finish" if new.done else "expand"
    return new


def finish(state: CodeTreeState, emit: Emit | None = None) -> CodeTreeState:
    """The answer: the best candidate of the whole tree (passing every test first, then by value)."""
    new = state.model_copy(deep=True)
    pool = [n for n in new.nodes.values() if n.id != ROOT and n.program is not None and n.value is not None]
    best = max(pool, key=_rank) if pool else None
    new.best_id = best.id if best else None
    new.answer = best.program if best else None
    new.passed = best.all_passed if best else False
    new.done, new.phase = True, "complete"
    emit_event(
        emit,
        "code_tree.finish",
        {
            "best_id": new.best_id,
            "passed": new.passed,
            "tests_passed": best.passed if best else 0,
            "tests_total": best.total if best else len(new.tests),
            "stop_reason": new.stop_reason,
            "persona": best.persona if best else None,
            "framework": best.framework if best else None,
        },
    )
    return new


PHASES: SearchPhases[CodeTreeState] = SearchPhases(write_tests, expand, evaluate, select, finish)
step = PHASES.step  # the next phase of the search (what a graph node runs)


async def search_code(state: CodeTreeState, gateway: Gateway, emit: Emit | None = None) -> CodeTreeState:
    return await PHASES.run(state, gateway, emit)


def result_of(state: CodeTreeState, wall_time_s: float = 0.0) -> CodeTreeResult:
    best = state.nodes.get(state.best_id or "")
    return CodeTreeResult(
        program=state.answer,
        completion=best.completion if best else None,
        passed=bool(state.passed),
        tests_passed=best.passed if best else 0,
        tests_total=best.total if best else len(state.tests),
        best_id=state.best_id,
        stop_reason=state.stop_reason,
        nodes=[n for n in state.nodes.values() if n.id != ROOT],
        tests=list(state.tests),
        usage=state.usage,
        wall_time_s=wall_time_s,
        trace=state.model_dump(),
    )


async def solve_code(
    prompt: str,
    visible_tests: Sequence[str] | None,
    gateway: Gateway,
    config: CodeTreeConfig | None = None,
    *,
    entry_point: str | None = None,
    complete_prompt: bool = True,
    emit: Emit | None = None,
) -> CodeTreeResult:
    """Solve one code task by tree search (the arena's "coder tree search" column).

    `prompt`: the spec; with `complete_prompt` (HumanEval) it is also the code the candidates
    complete, and `result.completion` is what follows it. `visible_tests`: assert lines, or
    None to read them from the prompt's docstring examples. Raises ValueError when there is
    nothing to test, SandboxUnavailable without bwrap, the backend's error if no step succeeded.
    """
    watch = Stopwatch()
    state = init_code_tree(
        prompt,
        tests=visible_tests,
        code_prefix=prompt if complete_prompt else "",
        entry_point=entry_point,
        config=config,
    )
    state = await search_code(state, gateway, emit)
    return result_of(state, watch.elapsed())


__all__ = [
    "ROOT",
    "CodeNode",
    "CodeTreeConfig",
    "CodeTreeResult",
    "CodeTreeState",
    "evaluate",
    "expand",
    "finish",
    "init_code_tree",
    "result_of",
    "run_tests",
    "search_code",
    "select",
    "solve_code",
    "step",
    "write_tests",
]
