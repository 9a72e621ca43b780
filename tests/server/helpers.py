"""Starting the real `thinkroom` CLI as a subprocess, the way a user does."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

THINKROOM = str(Path(sys.executable).with_name("thinkroom"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THINKROOM_") and k != "OLLAMA_HOST"}
    env.setdefault("OLLAMA_HOST", f"http://127.0.0.1:{free_port()}")
    env.update(overrides)
    return env


@contextmanager
def running_server(tmp_path: Path, timeout_s: float = 60, **env: str) -> Iterator[str]:
    """Run `thinkroom serve` on a free port; yields its base URL once /health answers."""
    port = free_port()
    env.setdefault("THINKROOM_DATABASE_URL", f"sqlite:///{tmp_path}/thinkroom.db")
    env.setdefault("THINKROOM_CHECKPOINT_PATH", str(tmp_path / "checkpoints.db"))
    log = (tmp_path / f"server-{port}.log").open("w")
    proc = subprocess.Popen(
        [THINKROOM, "serve", "--port", str(port)],
        env=cli_env(**env),
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {(tmp_path / f'server-{port}.log').read_text()}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("server did not answer /health")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def run_cli(*args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([THINKROOM, *args], env=cli_env(**env), capture_output=True, text=True, timeout=timeout)
