"""How one run starts: the command line, environment and working dir for the chosen mode.

Both modes start the same bootstrap, which applies the rlimits and then execs the code;
"bwrap" wraps it in bubblewrap, "unsafe-local" runs it on the host (logged loudly).
"""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass

from .bwrap import bwrap_argv, host_is_root, interpreter, require_bwrap_async
from .policy import SANDBOX_GID, SANDBOX_UID, WORKDIR, SandboxLimits, SandboxMode, SandboxUnavailable, sandbox_env

log = logging.getLogger("agents.sandbox")

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


@dataclass(frozen=True)
class Plan:
    """Everything needed to start one run; `cleanup` is a host dir to remove afterwards."""

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


async def _plan_bwrap(limits: SandboxLimits) -> Plan:
    python = interpreter()
    bwrap = await require_bwrap_async(python)
    cfg = _bootstrap_cfg(python, WORKDIR, limits.rlimits(), drop=host_is_root())
    argv = [*bwrap_argv(bwrap, python, limits), python, "-I", "-S", "-c", _BOOTSTRAP, cfg]
    return Plan(argv=argv, env={}, cwd="/")


def _plan_unsafe(limits: SandboxLimits) -> Plan:
    log.warning(
        "sandbox mode 'unsafe-local': running model-written code on the HOST without "
        "isolation (no network/filesystem protection); rlimits, timeout and an empty "
        "environment still apply"
    )
    workdir = tempfile.mkdtemp(prefix="thinkroom-unsafe-")
    python = interpreter()
    rlimits = limits.rlimits()
    rlimits.pop("RLIMIT_NPROC")  # would count every process of the host user
    cfg = _bootstrap_cfg(python, workdir, rlimits, drop=False)
    argv = [python, "-I", "-S", "-c", _BOOTSTRAP, cfg]
    return Plan(argv=argv, env=sandbox_env(python, workdir), cwd=workdir, cleanup=workdir)


async def make_plan(limits: SandboxLimits, mode: SandboxMode) -> Plan:
    """The plan for `mode`; raises SandboxUnavailable when "bwrap" cannot isolate here."""
    if mode == "bwrap":
        return await _plan_bwrap(limits)
    if mode == "unsafe-local":
        return _plan_unsafe(limits)
    raise SandboxUnavailable(f"unknown sandbox mode {mode!r}; use 'bwrap' or 'unsafe-local'")


__all__ = ["Plan", "make_plan"]
