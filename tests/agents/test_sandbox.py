"""The coder agent's sandbox must contain hostile code, and refuse to run when it cannot."""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents import sandbox
from agents.sandbox import (
    SandboxLimits,
    SandboxResult,
    SandboxUnavailable,
    bwrap,
    policy,
    run_python,
    run_python_async,
)

HAVE_BWRAP = sandbox.find_bwrap() is not None
needs_bwrap = pytest.mark.skipif(not HAVE_BWRAP, reason="bubblewrap (bwrap) is not installed; `make test` installs it")

FAST = SandboxLimits(timeout_s=4.0, memory_bytes=256 * 2**20, max_processes=32)


def run(code: str, limits: SandboxLimits = FAST) -> SandboxResult:
    return run_python(code, limits, mode="bwrap")


# ---------------------------------------------------------------------- basics
@needs_bwrap
def test_normal_code_works() -> None:
    result = run("print(2+2)")
    assert result.ok, result.summary()
    assert result.stdout.strip() == "4"
    assert not result.timed_out and not result.truncated
    assert "exit code 0" in result.summary()


@needs_bwrap
def test_async_api_and_exceptions_reported() -> None:
    result = asyncio.run(run_python_async("raise ValueError('boom')", FAST, mode="bwrap"))
    assert result.exit_code == 1
    assert "ValueError: boom" in result.stderr
    assert "ValueError: boom" in result.summary()


@needs_bwrap
def test_sync_api_works_inside_running_loop() -> None:
    async def caller() -> SandboxResult:
        return run("print('from loop')")

    assert asyncio.run(caller()).stdout.strip() == "from loop"


# ----------------------------------------------------------------- containment
@needs_bwrap
def test_infinite_loop_is_killed_at_timeout() -> None:
    limits = SandboxLimits(timeout_s=2.0)
    started = time.monotonic()
    result = run("while True:\n    pass", limits)
    elapsed = time.monotonic() - started
    assert result.timed_out
    assert not result.ok
    assert elapsed < 2.0 + 2.5
    assert "TIMED OUT" in result.summary()


@needs_bwrap
def test_sleeping_code_is_killed_at_timeout() -> None:
    result = run("import time\nprint('start', flush=True)\ntime.sleep(60)", SandboxLimits(timeout_s=1.5))
    assert result.timed_out
    assert result.stdout.strip() == "start"
    assert result.duration_s < 4.0


@needs_bwrap
def test_memory_bomb_is_contained() -> None:
    code = "data = bytearray(4 * 2**30)\nprint('allocated', len(data))"
    result = run(code, SandboxLimits(timeout_s=5.0, memory_bytes=256 * 2**20))
    assert not result.ok
    assert "allocated" not in result.stdout
    assert "MemoryError" in result.stderr or result.exit_code in (137, -9)


@needs_bwrap
def test_cpu_time_limit_kills_busy_loop() -> None:
    result = run("while True:\n    pass", SandboxLimits(timeout_s=5.0, cpu_s=1))
    assert not result.ok and not result.timed_out
    assert result.duration_s < 4.0


def _sandboxed_pids() -> list[int]:
    """Host pids running a sandboxed script (the fork bomb's children would match)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"/sandbox/main.py" in cmdline:
            pids.append(int(entry.name))
    return pids


@needs_bwrap
def test_fork_bomb_is_contained() -> None:
    code = (
        "import os, time\n"
        "spawned = 0\n"
        "for _ in range(10000):\n"
        "    try:\n"
        "        pid = os.fork()\n"
        "    except OSError:\n"
        "        break\n"
        "    if pid == 0:\n"
        "        time.sleep(60)\n"
        "        os._exit(0)\n"
        "    spawned += 1\n"
        "print('spawned', spawned, flush=True)\n"
        "time.sleep(60)\n"
    )
    limits = SandboxLimits(timeout_s=3.0, max_processes=32)
    started = time.monotonic()
    result = run(code, limits)
    assert time.monotonic() - started < 3.0 + 3.0
    assert result.timed_out
    spawned = int(result.stdout.split()[1])
    assert spawned < limits.max_processes
    # the whole tree is gone and the host can still start processes
    deadline = time.monotonic() + 3.0
    while _sandboxed_pids() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sandboxed_pids() == []
    assert subprocess.run(["true"], check=False).returncode == 0


@needs_bwrap
def test_background_processes_die_with_the_sandbox() -> None:
    code = (
        "import subprocess\nsubprocess.Popen(['sleep', '100'], start_new_session=True)\nprint('left a child behind')\n"
    )
    result = run(code)
    assert result.ok, result.summary()
    assert result.duration_s < 3.0


@pytest.fixture
def host_listener() -> Iterator[int]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


@needs_bwrap
def test_no_network(host_listener: int) -> None:
    code = (
        "import socket\n"
        f"for host, port in [('127.0.0.1', {host_listener}), ('1.1.1.1', 53), ('1.1.1.1', 443)]:\n"
        "    try:\n"
        "        socket.create_connection((host, port), timeout=1).close()\n"
        "        print('CONNECTED', host)\n"
        "    except OSError as exc:\n"
        "        print('blocked', host, type(exc).__name__)\n"
    )
    result = run(code)
    assert result.ok, result.summary()
    assert "CONNECTED" not in result.stdout
    assert result.stdout.count("blocked") == 3


@needs_bwrap
def test_writes_outside_workdir_fail() -> None:
    code = (
        "for path in ['/usr/x', '/etc/x', '/x', '/root/x', '/proc/x']:\n"
        "    try:\n"
        "        open(path, 'w').write('pwned')\n"
        "        print('WROTE', path)\n"
        "    except OSError:\n"
        "        print('denied', path)\n"
        "open('/sandbox/ok.txt', 'w').write('fine')\n"
        "open('/tmp/ok.txt', 'w').write('fine')\n"
        "print('workdir ok')\n"
    )
    result = run(code)
    assert result.ok, result.summary()
    assert "WROTE" not in result.stdout
    assert "workdir ok" in result.stdout
    assert not Path("/usr/x").exists() and not Path("/etc/x").exists()


@needs_bwrap
def test_file_size_limit() -> None:
    code = "open('big', 'wb').write(b'x' * (8 * 2**20))"
    result = run(code, SandboxLimits(timeout_s=4.0, max_file_bytes=2**20))
    assert not result.ok


@pytest.fixture
def home_secret() -> Iterator[tuple[Path, str]]:
    """A secret file in the test process's HOME (e.g. /root), like ~/.ssh keys."""
    secret = f"hunter2-{uuid.uuid4().hex}"
    path = Path.home() / f".thinkroom-sandbox-test-{uuid.uuid4().hex}"
    path.write_text(secret)
    try:
        yield path, secret
    finally:
        path.unlink(missing_ok=True)


@needs_bwrap
def test_host_secrets_are_unreadable(home_secret: tuple[Path, str], tmp_path: Path) -> None:
    path, secret = home_secret
    other = tmp_path / "project-secret.txt"
    other.write_text(secret)
    targets = [str(path), str(other), "/etc/shadow", str(Path.home() / ".bashrc"), "/root/.ssh"]
    code = (
        "import os\n"
        f"for target in {targets!r}:\n"
        "    try:\n"
        "        if os.path.isdir(target):\n"
        "            print('LISTED', target, os.listdir(target))\n"
        "        else:\n"
        "            print('READ', target, open(target).read())\n"
        "    except OSError as exc:\n"
        "        print('denied', target, type(exc).__name__)\n"
    )
    result = run(code)
    assert result.ok, result.summary()
    assert secret not in result.stdout + result.stderr
    assert "READ" not in result.stdout and "LISTED" not in result.stdout
    assert "denied /etc/shadow FileNotFoundError" in result.stdout  # not even mounted


@needs_bwrap
def test_parent_environment_is_invisible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THINKROOM_TEST_SECRET", "env-secret-value-42")
    result = run("import os\nprint(dict(os.environ))")
    assert result.ok, result.summary()
    assert "env-secret-value-42" not in result.stdout
    assert "THINKROOM_TEST_SECRET" not in result.stdout
    assert "'HOME': '/sandbox'" in result.stdout


@needs_bwrap
def test_large_output_is_truncated() -> None:
    limits = SandboxLimits(timeout_s=5.0, max_output_bytes=64 * 1024)
    result = run("import sys\nsys.stdout.write('x' * 10_000_000)\nprint('done', file=sys.stderr)", limits)
    assert result.truncated
    assert len(result.stdout.encode()) == 64 * 1024
    assert result.exit_code == 0 and "done" in result.stderr
    assert "truncated" in result.summary()
    assert len(result.summary(max_chars=2000)) < 3000


@needs_bwrap
def test_runs_as_unprivileged_user() -> None:
    result = run("import os\nprint(os.getuid(), os.geteuid())\nprint(open('/proc/self/status').read())")
    assert result.ok, result.summary()
    assert result.stdout.split("\n")[0] == "65534 65534"
    assert "CapEff:\t0000000000000000" in result.stdout


# ------------------------------------------------------------ refusing to run
def test_missing_bwrap_refuses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    marker = tmp_path / "ran"
    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        run_python(f"open({str(marker)!r}, 'w').write('x')", FAST, mode="bwrap")
    assert not marker.exists()
    assert sandbox.sandbox_status("bwrap") is not None


def test_broken_bwrap_refuses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A bwrap that cannot create namespaces (simulated by /bin/false) is refused too."""
    monkeypatch.setattr(bwrap, "find_bwrap", lambda: "/bin/false")
    marker = tmp_path / "ran"
    with pytest.raises(SandboxUnavailable, match="cannot create the sandbox"):
        run_python(f"open({str(marker)!r}, 'w').write('x')", FAST, mode="bwrap")
    assert not marker.exists()


def test_bwrap_probe_runs_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """The probe is a blocking subprocess: from async code it must run on a worker thread."""
    probed_on: list[threading.Thread] = []

    def probe(bwrap_path: str, python: str) -> str | None:
        probed_on.append(threading.current_thread())
        return "simulated probe failure"

    monkeypatch.setattr(bwrap, "find_bwrap", lambda: "/nonexistent/bwrap-off-loop-test")
    monkeypatch.setattr(bwrap, "_probe_run", probe)

    async def go() -> threading.Thread:
        with pytest.raises(SandboxUnavailable, match="simulated probe failure"):
            await run_python_async("print(1)", FAST, mode="bwrap")
        return threading.current_thread()

    loop_thread = asyncio.run(go())
    assert len(probed_on) == 1
    assert probed_on[0] is not loop_thread


def test_default_mode_never_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from agents.settings import get_settings

    monkeypatch.delenv("THINKROOM_SANDBOX", raising=False)
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    get_settings.cache_clear()
    try:
        with pytest.raises(SandboxUnavailable):
            run_python("print(1)", FAST)
    finally:
        get_settings.cache_clear()


def test_unsafe_local_only_when_chosen(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from agents.settings import get_settings

    monkeypatch.setenv("THINKROOM_TEST_SECRET", "env-secret-value-42")
    monkeypatch.setenv("THINKROOM_SANDBOX", "unsafe-local")
    get_settings.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="agents.sandbox"):
            result = run_python("import os\nprint(2+2)\nprint(dict(os.environ))", FAST)
    finally:
        get_settings.cache_clear()
    assert result.ok and result.mode == "unsafe-local"
    assert result.stdout.splitlines()[0] == "4"
    assert "env-secret-value-42" not in result.stdout
    assert any("unsafe-local" in rec.getMessage() for rec in caplog.records)


def test_unsafe_local_still_has_timeout_and_caps() -> None:
    result = run_python(
        "import sys\nsys.stdout.write('y' * 1_000_000)\nwhile True: pass",
        SandboxLimits(timeout_s=1.5, max_output_bytes=1000),
        mode="unsafe-local",
    )
    assert result.timed_out and result.truncated
    assert len(result.stdout) == 1000


def test_oversized_code_is_rejected() -> None:
    with pytest.raises(sandbox.SandboxError):
        run_python("#" * (sandbox.MAX_CODE_BYTES + 1), FAST, mode="unsafe-local")


def test_import_does_not_load_autogen() -> None:
    probe = "import sys, agents.sandbox; print('autogen_core' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "False"


def test_code_for_block_languages() -> None:
    assert sandbox.code_for_block("Python", "x") == "x"
    assert sandbox.code_for_block("py", "x") == "x"
    assert "subprocess" in (sandbox.code_for_block("bash", "echo hi") or "")
    assert sandbox.code_for_block("javascript", "1") is None


# ------------------------------------------------------------ AutoGen adapter
@needs_bwrap
def test_autogen_code_executor_runs_blocks() -> None:
    pytest.importorskip("autogen_core")
    from autogen_core import CancellationToken
    from autogen_core.code_executor import CodeBlock, CodeExecutor

    from agents.autogen_adapter.code_executor import make_code_executor

    executor = make_code_executor(FAST, mode="bwrap")
    assert isinstance(executor, CodeExecutor)

    async def go() -> None:
        await executor.start()
        token = CancellationToken()
        ok = await executor.execute_code_blocks(
            [CodeBlock(code="print(2+2)", language="python"), CodeBlock(code="echo shell-works", language="sh")],
            token,
        )
        assert ok.exit_code == 0, ok.output
        assert "4" in ok.output and "shell-works" in ok.output
        bad = await executor.execute_code_blocks([CodeBlock(code="1/0", language="python")], token)
        assert bad.exit_code == 1 and "ZeroDivisionError" in bad.output
        js = await executor.execute_code_blocks([CodeBlock(code="1", language="javascript")], token)
        assert js.exit_code == 1 and "unsupported language" in js.output
        await executor.restart()
        await executor.stop()

    asyncio.run(go())


@needs_bwrap
def test_autogen_cancellation_kills_sandbox() -> None:
    pytest.importorskip("autogen_core")
    from autogen_core import CancellationToken
    from autogen_core.code_executor import CodeBlock

    from agents.autogen_adapter.code_executor import make_code_executor

    executor = make_code_executor(SandboxLimits(timeout_s=30.0), mode="bwrap")

    async def go() -> float:
        token = CancellationToken()
        started = time.monotonic()
        task = asyncio.ensure_future(
            executor.execute_code_blocks([CodeBlock(code="import time; time.sleep(30)", language="python")], token)
        )
        await asyncio.sleep(0.5)
        token.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - started

    assert asyncio.run(go()) < 5.0
    deadline = time.monotonic() + 3.0
    while _sandboxed_pids() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sandboxed_pids() == []


def test_env_keys_are_minimal() -> None:
    env = policy.sandbox_env("/usr/bin/python3", "/sandbox")
    assert set(env) <= {
        "PATH",
        "HOME",
        "TMPDIR",
        "LANG",
        "LC_ALL",
        "USER",
        "LOGNAME",
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONUNBUFFERED",
        "PYTHONIOENCODING",
        "MPLBACKEND",
    }
