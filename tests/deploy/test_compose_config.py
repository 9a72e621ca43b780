"""docker-compose.yml is a valid Compose file (Compose's own validator and the compose-spec
JSON schema), and .env.example documents every variable it uses."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from agents.settings import Settings

from .deployment import COMPOSE_FILE, ENV_EXAMPLE, GPU_COMPOSE_FILE, ROOT, compose_variables, load_compose

# Shipped by Debian's docker-compose package (installed by `make system-deps`).
DEBIAN_COMPOSE_SCHEMA = Path("/usr/lib/python3/dist-packages/compose/config/compose_spec.json")


def compose_command() -> list[str]:
    """Debian's docker-compose, else the docker CLI's compose plugin; skip if neither works."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    pytest.skip(
        "neither `docker-compose` (Debian package docker-compose, see `make system-deps`) "
        "nor the `docker compose` plugin is installed"
    )


@pytest.mark.parametrize(
    "files", [[COMPOSE_FILE], [COMPOSE_FILE, GPU_COMPOSE_FILE]], ids=["default", "with-gpu-override"]
)
def test_compose_config_validates(files: list[Path], tmp_path: Path) -> None:
    empty_env = tmp_path / "empty.env"  # a developer's own .env must not change the result
    empty_env.write_text("")
    argv = [*compose_command(), "--env-file", str(empty_env)]
    for path in files:
        argv += ["-f", str(path)]
    result = subprocess.run([*argv, "config", "-q"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr


def test_compose_config_validates_with_every_variable_set(tmp_path: Path) -> None:
    env_file = tmp_path / "all.env"
    env_file.write_text(
        "THINKROOM_MODEL=qwen2.5:7b\nTHINKROOM_EVALUATOR_MODEL=llama3.1:8b\nTHINKROOM_PORT=8080\n"
        "THINKROOM_PUBLISH_ADDRESS=0.0.0.0\nTHINKROOM_BUILD_EMBEDDED=true\nTHINKROOM_BACKEND=auto\n"
        "OLLAMA_IMAGE_TAG=0.12.11\nOLLAMA_KEEP_ALIVE=1h\nTHINKROOM_API_KEY=secret\nTHINKROOM_NUM_CTX=4096\n"
    )
    argv = [*compose_command(), "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config"]
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)["services"]
    assert resolved["thinkroom"]["environment"]["THINKROOM_MODEL"] == "qwen2.5:7b"
    assert resolved["thinkroom"]["environment"]["THINKROOM_API_KEY"] == "secret"
    assert resolved["ollama-pull"]["environment"]["THINKROOM_EVALUATOR_MODEL"] == "llama3.1:8b"
    assert resolved["ollama"]["image"] == "ollama/ollama:0.12.11"
    ports = resolved["thinkroom"]["ports"][0]
    published = ports if isinstance(ports, str) else f"{ports['host_ip']}:{ports['published']}:{ports['target']}"
    assert published.startswith("0.0.0.0:8080:8000")


@pytest.mark.parametrize("path", [COMPOSE_FILE, GPU_COMPOSE_FILE], ids=lambda p: p.name)
def test_compose_file_matches_the_compose_spec_schema(path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    if not DEBIAN_COMPOSE_SCHEMA.is_file():
        pytest.skip(f"compose-spec JSON schema not found ({DEBIAN_COMPOSE_SCHEMA}, from Debian's docker-compose)")
    schema = json.loads(DEBIAN_COMPOSE_SCHEMA.read_text())
    validator = jsonschema.Draft201909Validator(schema)  # its $schema URL predates the final one
    for document in (yaml.safe_load(path.read_text()), load_compose(path=path)):
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def _documented() -> set[str]:
    """Variables .env.example shows as `VAR=...` or `# VAR=...`."""
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))


def test_env_example_documents_every_compose_variable() -> None:
    used: set[str] = set()
    for path in (COMPOSE_FILE, GPU_COMPOSE_FILE):
        tree = yaml.safe_load(path.read_text())
        used |= compose_variables(tree)
        for service in tree["services"].values():  # `KEY:` with no value: passed through from .env
            environment = service.get("environment") or {}
            if isinstance(environment, dict):
                used |= {key for key, value in environment.items() if value is None}
    missing = used - _documented()
    assert not missing, f".env.example does not document: {sorted(missing)}"


def test_env_example_names_only_real_settings() -> None:
    """A THINKROOM_* name in .env.example is a Settings field or a variable of the compose file."""
    fields = {f"THINKROOM_{name.upper()}" for name in Settings.model_fields}
    compose_only = compose_variables(yaml.safe_load(COMPOSE_FILE.read_text()))
    named = set(re.findall(r"\bTHINKROOM_[A-Z0-9_]+", ENV_EXAMPLE.read_text()))
    unknown = named - fields - compose_only
    assert not unknown, f".env.example names unknown variables: {sorted(unknown)}"


def test_env_example_changes_nothing_until_edited() -> None:
    """Every assignment is commented out, so `cp .env.example .env` keeps all defaults (the
    same .env is read by a `thinkroom` started by hand in the repo)."""
    active = [line for line in ENV_EXAMPLE.read_text().splitlines() if re.match(r"^\s*[A-Z][A-Z0-9_]*=", line)]
    assert not active, active
