"""What the sandbox allows: modes, resource limits, the environment, runnable languages, and results.

Pure data and rules, no processes: `launch`, `bwrap` and `process` enforce what is
declared here.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

SandboxMode = Literal["bwrap", "unsafe-local"]

WORKDIR = "/sandbox"
SANDBOX_UID = 65534  # "nobody": a uid that owns nothing on the host
SANDBOX_GID = 65534
MAX_CODE_BYTES = 1_000_000

#: Code-block languages run as Python, and those run by /bin/sh (through Python, in the same sandbox).
PYTHON_LANGS = frozenset({"python", "py", "python3", ""})
SHELL_LANGS = frozenset({"sh", "bash", "shell"})


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


def sandbox_env(python: str, workdir: str) -> dict[str, str]:
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


def _shell_as_python(script: str) -> str:
    """Shell blocks run through Python's subprocess so they share the same sandbox."""
    return f"import subprocess, sys\nsys.exit(subprocess.run(['/bin/sh', '-c', {script!r}]).returncode)\n"


def code_for_block(language: str, code: str) -> str | None:
    """Python source to run for a code block, or None if the language is unsupported."""
    lang = language.strip().lower()
    if lang in PYTHON_LANGS:
        return code
    if lang in SHELL_LANGS:
        return _shell_as_python(code)
    return None


def resolve_mode(mode: SandboxMode | None) -> SandboxMode:
    """`mode`, or the configured one (THINKROOM_SANDBOX) when None."""
    if mode is not None:
        return mode
    from agents.settings import get_settings

    return get_settings().sandbox


def default_limits() -> SandboxLimits:
    """Limits with the timeout from settings (THINKROOM_SANDBOX_TIMEOUT_S)."""
    from agents.settings import get_settings

    return SandboxLimits(timeout_s=get_settings().sandbox_timeout_s)


__all__ = [
    "MAX_CODE_BYTES",
    "PYTHON_LANGS",
    "SANDBOX_GID",
    "SANDBOX_UID",
    "SHELL_LANGS",
    "WORKDIR",
    "SandboxError",
    "SandboxLimits",
    "SandboxMode",
    "SandboxResult",
    "SandboxUnavailable",
    "code_for_block",
    "default_limits",
    "resolve_mode",
    "sandbox_env",
]
