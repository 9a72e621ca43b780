"""The compose file is wired to the real code: the command exists in the CLI, OLLAMA_HOST names
the ollama service, the healthchecks hit a real route, and every variable is a real setting."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer
from typer.testing import CliRunner

from agents.settings import Settings
from server.cli.main import app as cli_app

from .deployment import (
    GPU_COMPOSE_FILE,
    ROOT,
    final_stage,
    healthcheck_test,
    is_route,
    load_compose,
    service_environment,
    urls_in,
)

OLLAMA_PORT = 11434


def services() -> dict[str, Any]:
    return load_compose()["services"]


def thinkroom_command() -> list[str]:
    """What the container runs: compose's `command`, else the image's CMD."""
    command = services()["thinkroom"].get("command")
    if isinstance(command, str):
        return command.split()
    return list(command) if command else list(final_stage().cmd or [])


def real_settings_variable(name: str) -> bool:
    if name == "OLLAMA_HOST":
        return True
    return name.startswith("THINKROOM_") and name.removeprefix("THINKROOM_").lower() in Settings.model_fields


def test_thinkroom_command_is_a_real_cli_command() -> None:
    argv = thinkroom_command()
    assert argv[0] == "thinkroom"  # the console script of pyproject.toml
    group = typer.main.get_command(cli_app)
    subcommand = getattr(group, "commands", {}).get(argv[1])
    assert subcommand is not None, f"`thinkroom {argv[1]}` is not a command"
    subcommand.make_context(argv[1], argv[2:])  # every option exists and every value parses
    result = CliRunner().invoke(cli_app, [*argv[1:], "--help"])
    assert result.exit_code == 0, result.output
    assert "--host" in result.output and "--port" in result.output


def test_route_check_tells_real_routes_from_others() -> None:
    assert is_route("/health") and not is_route("/no-such-route") and not is_route("/health", "DELETE")


def test_command_port_is_the_published_container_port() -> None:
    argv = thinkroom_command()
    port = argv[argv.index("--port") + 1]
    published = services()["thinkroom"]["ports"]
    assert any(str(p).rsplit(":", 1)[-1].split("/")[0] == port for p in published), published
    assert argv[argv.index("--host") + 1] == "0.0.0.0"  # reachable through the port mapping


def test_ollama_host_points_at_the_ollama_service() -> None:
    all_services = services()
    for name in ("thinkroom", "ollama-pull"):
        url = urlsplit(service_environment(all_services[name])["OLLAMA_HOST"] or "")
        assert url.hostname in all_services, f"{name}: {url.hostname} is not a service"
        assert url.hostname == "ollama" and url.port == OLLAMA_PORT
        assert all_services[url.hostname]["image"].startswith("ollama/ollama")
    assert Settings(OLLAMA_HOST="http://ollama:11434").ollama_host == "http://ollama:11434"  # type: ignore[call-arg]


def test_healthchecks_hit_real_routes_on_the_serving_port() -> None:
    argv = thinkroom_command()
    port = int(argv[argv.index("--port") + 1])
    checks = {
        "compose": healthcheck_test(services()["thinkroom"]["healthcheck"]["test"]),
        "Dockerfile": final_stage().healthcheck or [],
    }
    for origin, check in checks.items():
        urls = urls_in(check)
        assert urls, f"{origin} healthcheck has no URL: {check}"
        for url in map(urlsplit, urls):
            assert is_route(url.path), f"{origin} healthcheck path {url.path} is not a route of the app"
            assert url.port == port and url.hostname in ("127.0.0.1", "localhost"), url
        assert check[0] == "python", "the image has no curl: the healthcheck uses python"


def test_every_variable_set_for_thinkroom_is_a_real_setting() -> None:
    compose_env = service_environment(services()["thinkroom"])
    image_env = {k for k in final_stage().env if k.startswith(("THINKROOM_", "OLLAMA_"))}
    unknown = sorted(name for name in {*compose_env, *image_env} if not real_settings_variable(name))
    assert not unknown, f"not Settings fields: {unknown}"


def test_the_values_set_for_thinkroom_are_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The container's environment (image ENV, then compose's) loads as Settings, unchanged."""
    environment = {**final_stage().env, **service_environment(services()["thinkroom"])}
    for key, value in environment.items():
        if value is not None and real_settings_variable(key):
            monkeypatch.setenv(key, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.backend == "ollama" and settings.sandbox == "bwrap"
    assert settings.model == "llama3.2:3b"
    assert settings.ollama_host == "http://ollama:11434"
    assert (settings.host, settings.port) == ("0.0.0.0", 8000)
    assert settings.database_url == "sqlite:////data/thinkroom.db"
    assert str(settings.checkpoint_path) == "/data/checkpoints.db"
    assert str(settings.embedded_cache_dir) == "/data/cache"


def test_startup_order_and_restart_policies() -> None:
    all_services = services()
    thinkroom, pull, ollama = all_services["thinkroom"], all_services["ollama-pull"], all_services["ollama"]
    # thinkroom starts at once: a model typo or an offline first start must not keep it down (issue 15)
    assert thinkroom["depends_on"] == {"ollama": {"condition": "service_started"}}
    assert pull["depends_on"] == {"ollama": {"condition": "service_healthy"}}
    assert ":" in ollama["image"] and not ollama["image"].endswith(":latest")  # a pinned Ollama
    assert pull["restart"] == "no" and thinkroom["restart"] == "unless-stopped"
    assert ollama["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")
    assert pull["image"] == ollama["image"]
    assert "ollama pull" in " ".join(pull["command"])


def test_the_pull_is_skipped_on_the_embedded_backend() -> None:
    script = " ".join(services()["ollama-pull"]["command"])
    assert '[ "$THINKROOM_BACKEND" = embedded ]' in script and "exit 0" in script
    assert service_environment(load_compose({"THINKROOM_BACKEND": "embedded"})["services"]["ollama-pull"])[
        "THINKROOM_BACKEND"
    ] == "embedded"


def test_scale_profile_runs_two_replicas_on_postgres() -> None:
    all_services = services()
    assert all_services["postgres"]["profiles"] == ["scale"]
    replicas = [all_services["thinkroom-a"], all_services["thinkroom-b"]]
    urls = {service_environment(r)["THINKROOM_DATABASE_URL"] or "" for r in replicas}
    assert len(urls) == 1, "both replicas use one database"
    url = urls.pop()
    assert url.startswith("postgresql+psycopg://thinkroom:") and "@postgres:5432/" in url
    for replica in replicas:
        assert replica["profiles"] == ["scale"]
        assert replica["depends_on"]["postgres"] == {"condition": "service_healthy"}
        assert replica["build"] == all_services["thinkroom"]["build"]
        assert all(real_settings_variable(k) for k in service_environment(replica))
    ports = {r["ports"][0].rsplit(":", 1)[0] for r in replicas}
    assert len(ports) == 2, "each replica is published on its own host port"


def test_pull_service_pulls_the_model_thinkroom_uses() -> None:
    all_services = services()
    pulled = service_environment(all_services["ollama-pull"])
    used = service_environment(all_services["thinkroom"])
    assert pulled["THINKROOM_MODEL"] == used["THINKROOM_MODEL"] == "llama3.2:3b"
    assert pulled["THINKROOM_EVALUATOR_MODEL"] == ""  # optional, skipped when empty
    with_models = load_compose({"THINKROOM_MODEL": "qwen2.5:7b"})["services"]
    assert service_environment(with_models["ollama-pull"])["THINKROOM_MODEL"] == "qwen2.5:7b"
    assert service_environment(with_models["thinkroom"])["THINKROOM_MODEL"] == "qwen2.5:7b"


def test_data_lives_on_named_volumes() -> None:
    compose = load_compose()
    assert "data:/data" in compose["services"]["thinkroom"]["volumes"]
    assert "ollama:/root/.ollama" in compose["services"]["ollama"]["volumes"]
    assert compose["volumes"]["data"]["name"] == "thinkroom_data"  # the README's backup recipe
    assert "/data" in final_stage().volumes


def test_sandbox_gets_what_bubblewrap_needs_and_stays_on() -> None:
    thinkroom = services()["thinkroom"]
    options = set(thinkroom["security_opt"])
    assert {"seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined"} <= options
    assert "no-new-privileges:true" in options
    assert not thinkroom.get("privileged") and not thinkroom.get("cap_add")
    assert service_environment(thinkroom)["THINKROOM_SANDBOX"] == "bwrap"


def test_readme_recipes_match_the_compose_file() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Deploy with Docker") :]
    compose = load_compose()
    assert f"-v {compose['volumes']['data']['name']}:/data" in section  # backup and restore
    assert "docker compose up -d" in section and "docker compose up -d --build" in section
    assert "docker-compose.gpu.yml" in section and GPU_COMPOSE_FILE.exists()
    assert "from agents.sandbox import sandbox_status" in section
    command = re.search(r'python -c "([^"]+)"', section)
    assert command is not None
    result = subprocess.run([sys.executable, "-c", command[1]], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and result.stdout.strip(), result.stderr  # "sandbox: ok" or the reason
