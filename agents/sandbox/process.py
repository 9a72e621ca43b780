"""Run one planned sandbox process: feed it the code, cap its output, enforce the timeout, kill its tree."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import threading
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

from .bwrap import interpreter, require_bwrap
from .launch import Plan, make_plan
from .policy import (
    MAX_CODE_BYTES,
    SandboxError,
    SandboxLimits,
    SandboxMode,
    SandboxResult,
    SandboxUnavailable,
    default_limits,
    resolve_mode,
)

_KILL_GRACE_S = 2.0
_READ_CHUNK = 65536


class _CappedReader:
    """Drain a pipe to EOF but keep only the first `cap` bytes, so a chatty program
    neither blocks on a full pipe nor fills our memory."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.buf = bytearray()
        self.truncated = False

    async def drain(self, stream: asyncio.StreamReader | None) -> None:
        if stream is None:
            return
        while chunk := await stream.read(_READ_CHUNK):
            room = self.cap - len(self.buf)
            if len(chunk) > room:
                self.truncated = True
            if room > 0:
                self.buf += chunk[:room]

    def text(self) -> str:
        return self.buf.decode("utf-8", errors="replace")


def _kill_tree(proc: asyncio.subprocess.Process) -> None:
    """SIGKILL the process group; bwrap's --die-with-parent and pid namespace take the
    rest of the tree down with it. Also called after a clean exit, for leftovers."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    except PermissionError:
        proc.kill()


async def run_python_async(
    code: str, limits: SandboxLimits | None = None, *, mode: SandboxMode | None = None
) -> SandboxResult:
    """Run `code` as a Python script in the sandbox and wait for it (async).

    Raises SandboxUnavailable when isolation cannot be provided in "bwrap" mode.
    """
    limits = limits or default_limits()
    chosen = resolve_mode(mode)
    payload = code.encode("utf-8")
    if len(payload) > MAX_CODE_BYTES:
        raise SandboxError(f"code is {len(payload)} bytes; the limit is {MAX_CODE_BYTES}")
    plan = await make_plan(limits, chosen)
    try:
        return await _execute(plan, payload, limits, chosen)
    finally:
        if plan.cleanup:
            shutil.rmtree(plan.cleanup, ignore_errors=True)


async def _execute(plan: Plan, payload: bytes, limits: SandboxLimits, mode: SandboxMode) -> SandboxResult:
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        *plan.argv,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=plan.env,
        cwd=plan.cwd,
        start_new_session=True,
        close_fds=True,
    )
    out, err = _CappedReader(limits.max_output_bytes), _CappedReader(limits.max_output_bytes)
    readers = asyncio.gather(out.drain(proc.stdout), err.drain(proc.stderr))
    timed_out = False
    try:
        await _feed(proc, payload)
        try:
            await asyncio.wait_for(proc.wait(), timeout=limits.timeout_s)
        except TimeoutError:
            timed_out = True
    except BaseException:  # cancelled (e.g. AutoGen's CancellationToken): kill, re-raise
        _kill_tree(proc)
        await _reap(proc, readers)
        raise
    _kill_tree(proc)  # after a timeout, or leftovers of a clean exit (unsafe-local)
    exit_code = await proc.wait()
    notes = await _finish_readers(readers)
    _close_stdin(proc)
    return SandboxResult(
        exit_code=exit_code,
        stdout=out.text(),
        stderr=err.text(),
        timed_out=timed_out,
        truncated=out.truncated or err.truncated,
        duration_s=round(time.monotonic() - started, 3),
        mode=mode,
        notes=notes,
    )


async def _feed(proc: asyncio.subprocess.Process, payload: bytes) -> None:
    """Send the code on stdin; a sandbox that dies early just closes the pipe."""
    assert proc.stdin is not None
    try:
        proc.stdin.write(payload)
        await proc.stdin.drain()
    except (BrokenPipeError, ConnectionResetError):
        pass
    _close_stdin(proc)


def _close_stdin(proc: asyncio.subprocess.Process) -> None:
    if proc.stdin is not None and not proc.stdin.is_closing():
        proc.stdin.close()


async def _reap(proc: asyncio.subprocess.Process, readers: asyncio.Future[Any]) -> None:
    """After a kill on cancellation: collect the exit status and close the pipes, so no
    transport outlives its event loop."""
    _close_stdin(proc)
    try:
        await asyncio.wait_for(proc.wait(), timeout=_KILL_GRACE_S)
        await asyncio.wait_for(readers, timeout=_KILL_GRACE_S)
    except (TimeoutError, asyncio.CancelledError, OSError):
        readers.cancel()


async def _finish_readers(readers: asyncio.Future[Any]) -> list[str]:
    """Wait briefly for EOF; a stray process holding the pipe must not hang us."""
    try:
        await asyncio.wait_for(readers, timeout=_KILL_GRACE_S)
    except TimeoutError:
        return ["output pipes were still open after exit; some output may be missing"]
    return []


_T = TypeVar("_T")


def _run_sync(coro: Coroutine[Any, Any, _T]) -> _T:
    """asyncio.run, or in a helper thread when called from inside a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="sandbox-run", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def run_python(code: str, limits: SandboxLimits | None = None, *, mode: SandboxMode | None = None) -> SandboxResult:
    """Run `code` as a Python script in the sandbox (blocking); see run_python_async."""
    return _run_sync(run_python_async(code, limits, mode=mode))


def sandbox_status(mode: SandboxMode | None = None) -> str | None:
    """None if code can run in `mode`, else the reason it would be refused (for health
    checks and CLI diagnostics; blocking, as it may probe bwrap)."""
    if resolve_mode(mode) != "bwrap":
        return None
    try:
        require_bwrap(interpreter())
    except SandboxUnavailable as exc:
        return str(exc)
    return None


__all__ = ["run_python", "run_python_async", "sandbox_status"]
