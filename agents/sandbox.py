"""Run untrusted, model-written Python in a bubblewrap sandbox.

The coder agent executes whatever the LLM writes, so the code is treated as hostile: it
runs with no network, a read-only system, an empty tmpfs work dir, an empty environment,
rlimits (CPU, memory, processes, file size), a wall-clock timeout that kills the whole
tree, and capped output. If bubblewrap cannot provide that, execution is refused
(`SandboxUnavailable`) instead of silently running unsandboxed; running on the host is
only possible when the mode is explicitly "unsafe-local".

The core (`run_python` / `run_python_async`) does not import AutoGen, because importing
it is slow; `make_code_executor()` builds the AutoGen `CodeExecutor` lazily.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from autogen_core.code_executor import CodeExecutor

log = logging.getLogger(__name__)

SandboxMode = Literal["bwrap", "unsafe-local"]

WORKDIR = "/sandbox"
SANDBOX_UID = 65534  # "nobody": a uid that owns nothing on the host
SANDBOX_GID = 65534
MAX_CODE_BYTES = 1_000_000
_KILL_GRACE_S = 2.0
_READ_CHUNK = 65536
_BWRAP_HELP = (
    "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`, Fedora: "
    "`dnf install bubblewrap`) and make sure unprivileged user namespaces are allowed "
    "(e.g. `sysctl kernel.unprivileged_userns_clone=1`, or on Ubuntu 24.04+ the AppArmor "
    "userns restriction), or set THINKROOM_SANDBOX=unsafe-local to run code on this "
    "machine without isolation (only for code you trust)"
)
# /etc files the interpreter may need; everything else in /etc (shadow, ssh keys, ...)
# stays invisible.
_ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/alternatives",
)


class SandboxError(RuntimeError):
    """The sandbox could not run the code (not: the code itself failed)."""


class SandboxUnavailable(SandboxError):
    """Isolation is not possible here, so running the code is refused."""


@dataclass(frozen=True)
class SandboxLimits:
    """Resource bounds for one run; small defaults because agent code is short-lived.

    Memory and CPU are per process, so the worst case total is about
    `max_processes * memory_bytes` (the tmpfs mounts are capped separately).
    """

    timeout_s: float = 10.0
    cpu_s: int | None = None  # None: ceil(timeout_s) + 1
    memory_bytes: int = 512 * 2**20
    max_processes: int = 64  # threads count too
    max_file_bytes: int = 16 * 2**20
    max_open_files: int = 256
    tmpfs_bytes: int = 64 * 2**20  # each of /sandbox, /tmp, /dev/shm
    max_output_bytes: int = 64 * 1024  # per stream

    def rlimits(self) -> dict[str, int]:
        """The rlimits applied inside the sandbox, by `resource` constant name."""
        cpu = self.cpu_s if self.cpu_s is not None else int(self.timeout_s) + 2
        return {
            "RLIMIT_CPU": max(1, cpu),
            "RLIMIT_AS": self.memory_bytes,
            "RLIMIT_NPROC": self.max_processes,
            "RLIMIT_FSIZE": self.max_file_bytes,
            "RLIMIT_NOFILE": self.max_open_files,
            "RLIMIT_CORE": 0,
        }


@dataclass
class SandboxResult:
    """What happened to one run, in a shape an agent can reason about."""

    exit_code: int
    stdout: str
    stderr: str
    timed_out: bool = False
    truncated: bool = False
    duration_s: float = 0.0
    mode: SandboxMode = "bwrap"
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the code ran to completion and exited 0."""
        return self.exit_code == 0 and not self.timed_out

    @property
    def output(self) -> str:
        """stdout then stderr, as AutoGen's CodeResult wants one string."""
        if self.stdout and self.stderr and not self.stdout.endswith("\n"):
            return f"{self.stdout}\n{self.stderr}"
        return self.stdout + self.stderr

    def summary(self, max_chars: int = 4000) -> str:
        """A compact report for the LLM: status line first, then (clipped) output."""
        if self.timed_out:
            status = f"TIMED OUT after {self.duration_s:.1f}s (process tree killed)"
        elif (sig := _killing_signal(self.exit_code)) is not None:
            status = f"exit code {self.exit_code}: killed by {_signal_name(sig)}"
            if sig in (signal.SIGKILL, signal.SIGXCPU):
                status += " (CPU-time limit reached, or killed)"
        else:
            status = f"exit code {self.exit_code}"
        lines = [f"[sandbox:{self.mode}] {status}, {self.duration_s:.2f}s"]
        if self.truncated:
            lines.append("[output truncated at the sandbox cap]")
        lines.extend(f"[{note}]" for note in self.notes)
        for name, text in (("stdout", self.stdout), ("stderr", self.stderr)):
            if text:
                lines.append(f"--- {name} ---\n{_clip(text, max_chars // 2)}")
        if not self.stdout and not self.stderr:
            lines.append("(no output)")
        return "\n".join(lines)


def _killing_signal(exit_code: int) -> int | None:
    """Signal behind an exit code: negative from asyncio, 128+N as bwrap reports it."""
    if exit_code < 0:
        return -exit_code
    if 128 < exit_code < 128 + 65:
        return exit_code - 128
    return None


def _signal_name(num: int) -> str:
    try:
        return signal.Signals(num).name
    except ValueError:
        return "?"


def _clip(text: str, limit: int) -> str:
    """Keep head and tail: tracebacks put the useful line last."""
    if len(text) <= limit:
        return text
    half = max(limit // 2, 1)
    return f"{text[:half]}\n... [{len(text) - 2 * half} chars omitted] ...\n{text[-half:]}"


# --------------------------------------------------------------------------- bootstrap
# Runs inside the sandbox as the first process (python -I -S, so no site/env hooks):
# reads the code from stdin, drops root if asked, writes main.py, applies the rlimits
# and execs the user code. RLIMIT_NPROC is set here, after bwrap made the namespaces,
# so it counts only the sandbox's own processes.
_BOOTSTRAP = r"""
import json, os, resource, sys
cfg = json.loads(sys.argv[1])
code = sys.stdin.buffer.read()
if cfg["drop_to"] is not None:
    uid, gid = cfg["drop_to"]
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getuid() == 0 or os.geteuid() == 0:
        sys.exit("sandbox bootstrap: failed to drop root")
path = os.path.join(cfg["workdir"], cfg["script"])
with open(path, "wb") as fh:
    fh.write(code)
for name, value in cfg["rlimits"].items():
    resource.setrlimit(getattr(resource, name), (value, value))
null = os.open(os.devnull, os.O_RDONLY)
os.dup2(null, 0)
os.close(null)
argv = cfg["argv"] + [path]
os.execv(argv[0], argv)
"""


# ----------------------------------------------------------------------- environment
def _interpreter() -> str:
    """The real (non-venv) interpreter binary, so only its prefix must be visible."""
    base = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidate = base / "bin" / version
    if candidate.is_file():
        return str(candidate.resolve())
    return os.path.realpath(sys.executable)


def _python_binds(python: str) -> list[str]:
    """Directories (outside /usr) that hold the interpreter and its stdlib."""
    dirs = {os.path.realpath(sys.base_prefix), str(Path(python).resolve().parent.parent)}
    return sorted(d for d in dirs if not _under(d, "/usr") and d != "/")


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _sandbox_env(python: str, workdir: str) -> dict[str, str]:
    """The whole environment of the sandboxed code: nothing is inherited."""
    return {
        "PATH": f"{Path(python).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": workdir,
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "USER": "sandbox",
        "LOGNAME": "sandbox",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONIOENCODING": "utf-8",
        "MPLBACKEND": "Agg",
    }


def find_bwrap() -> str | None:
    """Path of the bwrap binary, or None (patched in tests)."""
    return shutil.which("bwrap")


def _host_is_root() -> bool:
    return os.geteuid() == 0


def _bwrap_argv(bwrap: str, python: str, limits: SandboxLimits) -> list[str]:
    """bwrap command line up to (not including) the sandboxed command.

    As an ordinary user, bwrap makes a user namespace and the code runs as uid 65534
    mapped to that user. As host root that would leave the code as real root, for which
    the kernel does not enforce RLIMIT_NPROC (fork bombs); so root runs bwrap
    privileged without a user namespace, keeps only CAP_SETUID/SETGID for the bootstrap,
    which then becomes the real uid 65534 before any user code runs.
    """
    argv = [bwrap, "--die-with-parent", "--new-session", "--clearenv"]
    if _host_is_root():
        argv += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
        argv += ["--unshare-cgroup-try", "--cap-drop", "ALL"]
        argv += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        argv += ["--unshare-all", "--unshare-user", "--disable-userns"]
        argv += ["--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID)]
    argv += ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        argv += _mirror(top)
    binds = [p for p in _ETC_FILES if os.path.exists(p)] + _python_binds(python)
    argv += _traversable_parents(binds)
    for path in binds:
        argv += ["--ro-bind", path, path]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    size = str(limits.tmpfs_bytes)
    argv += ["--perms", "1777", "--size", size, "--tmpfs", "/dev/shm"]
    argv += ["--perms", "1777", "--size", size, "--tmpfs", "/tmp"]
    argv += ["--perms", "0777", "--size", size, "--tmpfs", WORKDIR]
    argv += ["--remount-ro", "/", "--chdir", WORKDIR]
    for key, value in _sandbox_env(python, WORKDIR).items():
        argv += ["--setenv", key, value]
    return argv


def _traversable_parents(paths: list[str]) -> list[str]:
    """Create the bind targets' parents as empty 0755 dirs: bwrap would otherwise make
    them 0700 (e.g. /etc, /root), blocking uid 65534 from the interpreter and libs."""
    parents = sorted({str(p) for path in paths for p in Path(path).parents if str(p) != "/"})
    args: list[str] = []
    for parent in parents:  # sorted, so every parent precedes its children
        args += ["--perms", "0755", "--dir", parent]
    return args


def _mirror(top: str) -> list[str]:
    """Reproduce a top-level dir: usr-merged systems have symlinks, others real dirs."""
    if os.path.islink(top):
        return ["--symlink", os.readlink(top), top]
    if os.path.isdir(top):
        return ["--ro-bind", top, top]
    return []


@dataclass(frozen=True)
class _Plan:
    """Everything needed to start one run."""

    argv: list[str]
    env: dict[str, str] | None
    cwd: str | None
    cleanup: str | None = None


def _bootstrap_cfg(python: str, workdir: str, rlimits: dict[str, int], drop: bool) -> str:
    """Arguments for _BOOTSTRAP, as one JSON argv entry."""
    cfg = {
        "drop_to": [SANDBOX_UID, SANDBOX_GID] if drop else None,
        "workdir": workdir,
        "script": "main.py",
        "rlimits": rlimits,
        "argv": [python, "-B", "-E", "-s"],
    }
    return json.dumps(cfg)


def _plan_bwrap(limits: SandboxLimits) -> _Plan:
    bwrap = find_bwrap()
    if bwrap is None:
        raise SandboxUnavailable(f"bubblewrap (bwrap) is not installed: {_BWRAP_HELP}")
    python = _interpreter()
    _probe_bwrap(bwrap, python)
    cfg = _bootstrap_cfg(python, WORKDIR, limits.rlimits(), drop=_host_is_root())
    argv = [*_bwrap_argv(bwrap, python, limits), python, "-I", "-S", "-c", _BOOTSTRAP, cfg]
    return _Plan(argv=argv, env={}, cwd="/")


def _plan_unsafe(limits: SandboxLimits) -> _Plan:
    log.warning(
        "sandbox mode 'unsafe-local': running model-written code on the HOST without "
        "isolation (no network/filesystem protection); rlimits, timeout and an empty "
        "environment still apply"
    )
    workdir = tempfile.mkdtemp(prefix="thinkroom-unsafe-")
    python = _interpreter()
    rlimits = limits.rlimits()
    rlimits.pop("RLIMIT_NPROC")  # would count every process of the host user
    cfg = _bootstrap_cfg(python, workdir, rlimits, drop=False)
    argv = [python, "-I", "-S", "-c", _BOOTSTRAP, cfg]
    return _Plan(argv=argv, env=_sandbox_env(python, workdir), cwd=workdir, cleanup=workdir)


_PROBED_OK: set[tuple[str, str, bool]] = set()


def _probe_bwrap_once(bwrap: str, python: str, as_root: bool) -> str | None:
    """Start a trivial sandbox; returns bwrap's error text, or None if it works.
    Only success is remembered, so fixing the host (installing, sysctl) needs no restart."""
    key = (bwrap, python, as_root)
    if key in _PROBED_OK:
        return None
    error = _probe_bwrap_run(bwrap, python)
    if error is None:
        _PROBED_OK.add(key)
    return error


def _probe_bwrap_run(bwrap: str, python: str) -> str | None:
    argv = [*_bwrap_argv(bwrap, python, SandboxLimits()), python, "-I", "-S", "-c", "pass"]
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=30, env={}, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    if proc.returncode == 0:
        return None
    return proc.stderr.decode(errors="replace").strip() or f"exit code {proc.returncode}"


def _probe_bwrap(bwrap: str, python: str) -> None:
    error = _probe_bwrap_once(bwrap, python, _host_is_root())
    if error is not None:
        raise SandboxUnavailable(f"bubblewrap is installed but cannot create the sandbox ({error}); {_BWRAP_HELP}")


def _resolve_mode(mode: SandboxMode | None) -> SandboxMode:
    if mode is not None:
        return mode
    from agents.settings import get_settings

    return get_settings().sandbox


def default_limits() -> SandboxLimits:
    """Limits with the timeout from settings (THINKROOM_SANDBOX_TIMEOUT_S)."""
    from agents.settings import get_settings

    return SandboxLimits(timeout_s=get_settings().sandbox_timeout_s)


def _plan(limits: SandboxLimits, mode: SandboxMode) -> _Plan:
    if mode == "bwrap":
        return _plan_bwrap(limits)
    if mode == "unsafe-local":
        return _plan_unsafe(limits)
    raise SandboxUnavailable(f"unknown sandbox mode {mode!r}; use 'bwrap' or 'unsafe-local'")


# ------------------------------------------------------------------------ execution
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
    chosen = _resolve_mode(mode)
    payload = code.encode("utf-8")
    if len(payload) > MAX_CODE_BYTES:
        raise SandboxError(f"code is {len(payload)} bytes; the limit is {MAX_CODE_BYTES}")
    plan = _plan(limits, chosen)
    try:
        return await _execute(plan, payload, limits, chosen)
    finally:
        if plan.cleanup:
            shutil.rmtree(plan.cleanup, ignore_errors=True)


async def _execute(plan: _Plan, payload: bytes, limits: SandboxLimits, mode: SandboxMode) -> SandboxResult:
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
    checks and CLI diagnostics)."""
    try:
        _plan_checks(_resolve_mode(mode))
    except SandboxUnavailable as exc:
        return str(exc)
    return None


def _plan_checks(mode: SandboxMode) -> None:
    if mode != "bwrap":
        return
    bwrap = find_bwrap()
    if bwrap is None:
        raise SandboxUnavailable(f"bubblewrap (bwrap) is not installed: {_BWRAP_HELP}")
    _probe_bwrap(bwrap, _interpreter())


# ------------------------------------------------------------------- AutoGen adapter
_PYTHON_LANGS = frozenset({"python", "py", "python3", ""})
_SHELL_LANGS = frozenset({"sh", "bash", "shell"})


def _shell_as_python(script: str) -> str:
    """Shell blocks run through Python's subprocess so they share the same sandbox."""
    return f"import subprocess, sys\nsys.exit(subprocess.run(['/bin/sh', '-c', {script!r}]).returncode)\n"


def code_for_block(language: str, code: str) -> str | None:
    """Python source to run for a code block, or None if the language is unsupported."""
    lang = language.strip().lower()
    if lang in _PYTHON_LANGS:
        return code
    if lang in _SHELL_LANGS:
        return _shell_as_python(code)
    return None


def make_code_executor(limits: SandboxLimits | None = None, mode: SandboxMode | None = None) -> CodeExecutor:
    """An AutoGen CodeExecutor that runs python/sh blocks in this sandbox.

    autogen_core is imported here, not at module import, to keep `import
    agents.sandbox` fast.
    """
    from autogen_core import CancellationToken
    from autogen_core.code_executor import CodeBlock, CodeExecutor, CodeResult

    class SandboxCodeExecutor(CodeExecutor):
        """Each block runs in a fresh sandbox; blocks stop at the first failure."""

        def __init__(self) -> None:
            self.limits = limits
            self.mode = mode
            self.last_results: list[SandboxResult] = []

        async def execute_code_blocks(
            self, code_blocks: list[CodeBlock], cancellation_token: CancellationToken
        ) -> CodeResult:
            outputs: list[str] = []
            self.last_results = []
            for block in code_blocks:
                source = code_for_block(block.language, block.code)
                if source is None:
                    outputs.append(
                        f"unsupported language {block.language!r}: only python and sh code blocks can be executed"
                    )
                    return CodeResult(exit_code=1, output="\n".join(outputs))
                result = await self._run(source, cancellation_token)
                self.last_results.append(result)
                outputs.append(result.output if result.ok else result.summary())
                if not result.ok:
                    code = 124 if result.timed_out else (result.exit_code or 1)  # as AutoGen's
                    return CodeResult(exit_code=code, output="\n".join(outputs))
            return CodeResult(exit_code=0, output="\n".join(outputs))

        async def _run(self, source: str, token: CancellationToken) -> SandboxResult:
            task = asyncio.ensure_future(run_python_async(source, self.limits, mode=self.mode))
            token.link_future(task)
            try:
                return await task
            except SandboxUnavailable as exc:
                return SandboxResult(exit_code=1, stdout="", stderr=f"sandbox refused: {exc}")

        async def start(self) -> None:
            """Nothing to start: every block gets a fresh sandbox."""

        async def stop(self) -> None:
            """Nothing to stop: sandboxes do not outlive their block."""

        async def restart(self) -> None:
            """Stateless, so restarting is a no-op."""

    return SandboxCodeExecutor()


__all__ = [
    "MAX_CODE_BYTES",
    "SandboxError",
    "SandboxLimits",
    "SandboxMode",
    "SandboxResult",
    "SandboxUnavailable",
    "code_for_block",
    "default_limits",
    "find_bwrap",
    "make_code_executor",
    "run_python",
    "run_python_async",
    "sandbox_status",
]
