"""The bubblewrap command line, and the probe that proves bwrap can build it on this host.

The probe starts a trivial sandbox, a blocking subprocess of up to a few hundred ms (or
30 s if the host misbehaves), so async callers use `require_bwrap_async`, which runs it on
a worker thread; only success is cached, so fixing the host needs no restart.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from .policy import SANDBOX_GID, SANDBOX_UID, WORKDIR, SandboxLimits, SandboxUnavailable, sandbox_env

BWRAP_HELP = (
    "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`, Fedora: "
    "`dnf install bubblewrap`) and make sure unprivileged user namespaces are allowed "
    "(e.g. `sysctl kernel.unprivileged_userns_clone=1`, or on Ubuntu 24.04+ the AppArmor "
    "userns restriction), or set THINKROOM_SANDBOX=unsafe-local to run code on this "
    "machine without isolation (only for code you trust)"
)
_PROBE_TIMEOUT_S = 30
# /etc files the interpreter may need; everything else in /etc (shadow, ssh keys, ...)
# stays invisible.
_ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/alternatives",
)


def find_bwrap() -> str | None:
    """Path of the bwrap binary, or None (patched in tests)."""
    return shutil.which("bwrap")


def host_is_root() -> bool:
    return os.geteuid() == 0


def interpreter() -> str:
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


def bwrap_argv(bwrap: str, python: str, limits: SandboxLimits) -> list[str]:
    """bwrap command line up to (not including) the sandboxed command.

    As an ordinary user, bwrap makes a user namespace and the code runs as uid 65534
    mapped to that user. As host root that would leave the code as real root, for which
    the kernel does not enforce RLIMIT_NPROC (fork bombs); so root runs bwrap
    privileged without a user namespace, keeps only CAP_SETUID/SETGID for the bootstrap,
    which then becomes the real uid 65534 before any user code runs.
    """
    argv = [bwrap, "--die-with-parent", "--new-session", "--clearenv"]
    if host_is_root():
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
    for key, value in sandbox_env(python, WORKDIR).items():
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


# ----------------------------------------------------------------------------- probe
_PROBED_OK: set[tuple[str, str, bool]] = set()
_PROBE_LOCK = threading.Lock()  # concurrent first runs probe once, the others wait for its verdict


def _probe_run(bwrap: str, python: str) -> str | None:
    """Start a trivial sandbox; bwrap's error text, or None if it works (blocking)."""
    argv = [*bwrap_argv(bwrap, python, SandboxLimits()), python, "-I", "-S", "-c", "pass"]
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=_PROBE_TIMEOUT_S, env={}, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    if proc.returncode == 0:
        return None
    return proc.stderr.decode(errors="replace").strip() or f"exit code {proc.returncode}"


def _probe(key: tuple[str, str, bool]) -> None:
    """Probe once for `key` unless it already worked; raises SandboxUnavailable on failure."""
    with _PROBE_LOCK:
        if key in _PROBED_OK:
            return
        error = _probe_run(key[0], key[1])
        if error is None:
            _PROBED_OK.add(key)
            return
    raise SandboxUnavailable(f"bubblewrap is installed but cannot create the sandbox ({error}); {BWRAP_HELP}")


def _probe_key(python: str) -> tuple[str, str, bool]:
    bwrap = find_bwrap()
    if bwrap is None:
        raise SandboxUnavailable(f"bubblewrap (bwrap) is not installed: {BWRAP_HELP}")
    return bwrap, python, host_is_root()


def require_bwrap(python: str) -> str:
    """The bwrap path once it has proven it can build the sandbox (blocking: for sync callers)."""
    key = _probe_key(python)
    _probe(key)
    return key[0]


async def require_bwrap_async(python: str) -> str:
    """As `require_bwrap`, but a probe that is still needed runs on a worker thread, off the event loop."""
    key = _probe_key(python)
    if key not in _PROBED_OK:
        await asyncio.to_thread(_probe, key)
    return key[0]


__all__ = [
    "BWRAP_HELP",
    "bwrap_argv",
    "find_bwrap",
    "host_is_root",
    "interpreter",
    "require_bwrap",
    "require_bwrap_async",
]
