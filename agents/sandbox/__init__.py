"""Run untrusted, model-written Python in a bubblewrap sandbox.

The coder agent executes whatever the LLM writes, so the code is treated as hostile: it
runs with no network, a read-only system, an empty tmpfs work dir, an empty environment,
rlimits (CPU, memory, processes, file size), a wall-clock timeout that kills the whole
tree, and capped output. If bubblewrap cannot provide that, execution is refused
(`SandboxUnavailable`) instead of silently running unsandboxed; running on the host is
only possible when the mode is explicitly "unsafe-local".

Modules: `policy` (modes, limits, environment, languages, results), `bwrap` (the
bubblewrap command line and its availability probe), `launch` (the per-mode plan) and
`process` (running, capping, killing). None imports AutoGen, which is slow to import;
its CodeExecutor is `agents.autogen_adapter.code_executor`.
"""

from __future__ import annotations

from .bwrap import find_bwrap
from .policy import (
    MAX_CODE_BYTES,
    PYTHON_LANGS,
    SHELL_LANGS,
    SandboxError,
    SandboxLimits,
    SandboxMode,
    SandboxResult,
    SandboxUnavailable,
    code_for_block,
    default_limits,
)
from .process import run_python, run_python_async, sandbox_status

__all__ = [
    "MAX_CODE_BYTES",
    "PYTHON_LANGS",
    "SHELL_LANGS",
    "SandboxError",
    "SandboxLimits",
    "SandboxMode",
    "SandboxResult",
    "SandboxUnavailable",
    "code_for_block",
    "default_limits",
    "find_bwrap",
    "run_python",
    "run_python_async",
    "sandbox_status",
]
