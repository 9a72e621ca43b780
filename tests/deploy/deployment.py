"""Reading the deployment files the way Docker does: compose interpolation, Dockerfile stages."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
GPU_COMPOSE_FILE = ROOT / "docker-compose.gpu.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"

# $$ (a literal $), ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $VAR
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def compose_variables(tree: Any) -> set[str]:
    """Names of the variables a parsed compose file interpolates (not the escaped `$$name`)."""
    if isinstance(tree, dict):
        return set().union(*(compose_variables(v) for v in tree.values()))
    if isinstance(tree, list):
        return set().union(*(compose_variables(v) for v in tree))
    if isinstance(tree, str):
        return {m["braced"] or m["bare"] for m in _VARIABLE.finditer(tree) if not m["escaped"]}
    return set()


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's variable substitution over a parsed YAML tree."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(m: re.Match[str]) -> str:
        if m["escaped"]:
            return "$"
        name = m["braced"] or m["bare"]
        op, arg = m["op"], m["arg"]
        present = name in env and (env[name] != "" or not (op or "").startswith(":"))
        if op in (":-", "-"):
            return env[name] if present else arg
        if op in (":?", "?") and not present:
            raise ValueError(f"required variable {name} is missing: {arg}")
        return env.get(name, "")

    return _VARIABLE.sub(substitute, value)


def load_compose(env: dict[str, str] | None = None, path: Path = COMPOSE_FILE) -> dict[str, Any]:
    """The compose file with variables resolved against `env` (default: none set, so defaults)."""
    return interpolate(yaml.safe_load(path.read_text()), env or {})


def service_environment(service: dict[str, Any]) -> dict[str, str | None]:
    """A service's `environment` in either form; None means 'pass through from the host if set'."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        pairs = (item.split("=", 1) if "=" in item else (item, None) for item in raw)
        return {k: v for k, v in pairs}
    return {k: (None if v is None else str(v)) for k, v in raw.items()}


@dataclass
class Stage:
    """One FROM ... stage of a Dockerfile with the instructions we care about."""

    base: str
    name: str | None
    env: dict[str, str] = field(default_factory=dict)
    runs: list[str] = field(default_factory=list)
    copies: list[list[str]] = field(default_factory=list)
    user: str | None = None
    cmd: list[str] | None = None
    healthcheck: list[str] | None = None
    volumes: list[str] = field(default_factory=list)
    expose: list[str] = field(default_factory=list)


def _logical_lines(text: str) -> list[str]:
    """Join backslash continuations and drop comments, like the Dockerfile parser."""
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    if current.strip():
        lines.append(current)
    return lines


def _exec_form(arguments: str) -> list[str]:
    arguments = arguments.strip()
    if arguments.startswith("["):
        parsed = json.loads(arguments)
        assert isinstance(parsed, list)
        return [str(a) for a in parsed]
    return ["/bin/sh", "-c", arguments]


def parse_dockerfile(path: Path = DOCKERFILE) -> list[Stage]:
    """The stages of a Dockerfile, with global ARG defaults substituted into FROM lines."""
    stages: list[Stage] = []
    global_args: dict[str, str] = {}
    for line in _logical_lines(path.read_text()):
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        rest = rest.strip()
        if keyword == "ARG" and not stages:
            name, _, default = rest.partition("=")
            global_args[name] = default
        elif keyword == "FROM":
            words = rest.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: global_args.get(m[1], ""), words[0])
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=base, name=name))
        elif not stages:
            continue
        elif keyword == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                stages[-1].env[key] = value
        elif keyword == "RUN":
            stages[-1].runs.append(rest)
        elif keyword == "COPY":
            stages[-1].copies.append(shlex.split(rest))
        elif keyword == "USER":
            stages[-1].user = rest
        elif keyword == "CMD":
            stages[-1].cmd = _exec_form(rest)
        elif keyword == "HEALTHCHECK":
            command = re.sub(r"^(--\S+\s+)*", "", rest)
            kind, _, arguments = command.partition(" ")
            assert kind.upper() == "CMD", "HEALTHCHECK must use CMD"
            stages[-1].healthcheck = _exec_form(arguments)
        elif keyword == "VOLUME":
            stages[-1].volumes.extend(_exec_form(rest) if rest.startswith("[") else rest.split())
        elif keyword == "EXPOSE":
            stages[-1].expose.extend(rest.split())
    return stages


def final_stage() -> Stage:
    return parse_dockerfile()[-1]


def healthcheck_test(test: list[str] | str) -> list[str]:
    """A compose/Docker healthcheck `test` as an argv (CMD form) or shell command."""
    if isinstance(test, str):
        return ["/bin/sh", "-c", test]
    kind, *argv = test
    if kind == "CMD-SHELL":
        return ["/bin/sh", "-c", argv[0]]
    assert kind == "CMD", f"unexpected healthcheck form {kind!r}"
    return argv


def is_route(path: str, method: str = "GET") -> bool:
    """A route of the real app (as `thinkroom serve` builds it) fully matches `method path`.
    Matching rather than comparing `.path`: FastAPI keeps included routers as nested objects."""
    from starlette.routing import Match

    from agents.settings import Settings
    from server.app import create_app
    from server.warmup import import_heavy

    app = create_app(Settings(database_url="sqlite:///:memory:"))
    for module in import_heavy():  # what the server mounts once it is listening
        app.include_router(module.router)
    scope = {"type": "http", "path": path, "method": method, "root_path": "", "headers": [], "query_string": b""}
    return any(route.matches(scope)[0] == Match.FULL for route in app.routes)


def urls_in(argv: list[str]) -> list[str]:
    return re.findall(r"https?://[^\s'\"]+", " ".join(argv))
