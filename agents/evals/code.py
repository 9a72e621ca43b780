"""Running code samples in the bwrap sandbox, several processes at once.

Each sample is an untrusted program (model-written, or a user's suite), so it runs in the
same sandbox as the coder's code: no network, read-only system, rlimits and a timeout per
sample. `workers` bounds the sandbox processes alive at once across the whole process (all
items and samples of concurrent runs share it), so a laptop is never flooded.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass
from typing import Literal

from agents.sandbox import SandboxLimits, SandboxMode, SandboxResult, run_python_async

SampleStatus = Literal["passed", "failed", "timed out"]
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True)
class SampleOutcome:
    """How one program fared: passed means it ran to the end and exited 0 within the timeout."""

    status: SampleStatus
    detail: str
    seconds: float

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def _limiter(workers: int) -> asyncio.Semaphore:
    """One semaphore per event loop and worker count: the bound holds across concurrent items."""
    loop = asyncio.get_running_loop()
    per_loop = _limiters.setdefault(loop, {})
    if workers not in per_loop:
        per_loop[workers] = asyncio.Semaphore(workers)
    return per_loop[workers]


def _outcome(result: SandboxResult) -> SampleOutcome:
    if result.timed_out:
        return SampleOutcome("timed out", f"timed out after {result.duration_s:.1f}s", result.duration_s)
    if result.ok:
        return SampleOutcome("passed", "", result.duration_s)
    lines = [ln for ln in result.stderr.strip().splitlines() if ln.strip()]
    detail = lines[-1][:300] if lines else f"exit code {result.exit_code}"
    return SampleOutcome("failed", detail, result.duration_s)


def limits_for(timeout_s: float) -> SandboxLimits:
    """The sandbox limits of one sample: HumanEval programs are small, so the defaults suit them."""
    return SandboxLimits(timeout_s=timeout_s)


async def run_program(
    program: str, *, workers: int = 1, timeout_s: float = 10.0, mode: SandboxMode | None = None
) -> SampleOutcome:
    """Run one program in the sandbox once a worker slot is free (SandboxUnavailable without bwrap)."""
    async with _limiter(workers):
        result = await run_python_async(program, limits_for(timeout_s), mode=mode)
    return _outcome(result)


async def run_programs(
    programs: list[str], *, workers: int = 1, timeout_s: float = 10.0, mode: SandboxMode | None = None
) -> list[SampleOutcome]:
    """Run every program, at most `workers` at a time; outcomes in the programs' order."""
    return list(
        await asyncio.gather(*(run_program(p, workers=workers, timeout_s=timeout_s, mode=mode) for p in programs))
    )


__all__ = ["SampleOutcome", "SampleStatus", "limits_for", "run_program", "run_programs"]
