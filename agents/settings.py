"""One typed configuration for the whole service (env prefix THINKROOM_, `.env` supported).

A bad value fails fast at start-up with a message naming the setting, rather than as a
confusing error deep inside a request.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from agents.mcp.config import McpServer, parse_servers

BackendName = Literal["auto", "ollama", "embedded", "scripted"]
SandboxMode = Literal["bwrap", "unsafe-local"]


class Settings(BaseSettings):
    """Service settings; every field can be set as THINKROOM_<FIELD> or in `.env`."""

    model_config = SettingsConfigDict(
        env_prefix="THINKROOM_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    backend: BackendName = "auto"
    model: str = Field(default="", description="Default model; empty picks the backend's default.")
    ollama_host: str = Field(
        default="http://127.0.0.1:11434",
        validation_alias=AliasChoices("OLLAMA_HOST", "THINKROOM_OLLAMA_HOST"),
    )
    ollama_default_model: str = "llama3.2:3b"
    ollama_timeout_s: float = Field(default=300.0, gt=0)
    ollama_connect_timeout_s: float = Field(default=5.0, gt=0)
    ollama_probe_timeout_s: float = Field(default=1.0, gt=0)
    num_ctx: int = Field(default=8192, ge=256)
    max_tokens_cap: int | None = Field(
        default=None, ge=1, description="Upper bound on every completion's length, for slow hardware."
    )
    embedded_model: Path | None = Field(
        default=None, description="Path to any GGUF; default is the packaged Gemma 3 270M."
    )
    embedded_cache_dir: Path = Path.home() / ".cache" / "thinkroom"
    embedded_n_ctx: int = Field(default=4096, ge=256)
    embedded_threads: int = Field(default=0, ge=0, description="0 means all cores.")
    scripted_rules: Path | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    database_url: str = "sqlite:///./data/thinkroom.db"
    checkpoint_path: Path = Path("./data/checkpoints.db")
    store_path: Path | None = Field(
        default=None, description="SQLite file of the key-value store; default: store.db beside the checkpoints."
    )
    api_key: str | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://127.0.0.1:8000", "http://localhost:8000"],
        description="Allowed browser origins: a JSON list or comma-separated.",
    )
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_workers: int = Field(default=4, ge=1, le=64)
    cron_tick_s: float = Field(
        default=1.0, gt=0, le=60, description="How often the cron scheduler looks for due crons (at most)."
    )
    extra_graphs: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Extra workflows to serve, as 'module:function' builders: a JSON list or comma-separated.",
    )
    sandbox: SandboxMode = "bwrap"
    sandbox_timeout_s: float = Field(default=10.0, gt=0)
    mcp_tool_timeout_s: float = Field(
        default=600.0, gt=0, description="Longest an agent or workflow tool call at /mcp waits for its run."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    mcp_servers: Annotated[list[McpServer], NoDecode] = Field(
        default_factory=list,
        description="MCP servers whose tools the agents get: a JSON list of {name, command, args, env} or {name, url}.",
    )

    @field_validator("cors_origins", "extra_graphs", mode="before")
    @classmethod
    def _list_from_env(cls, value: object) -> object:
        """Accept a JSON list or a comma-separated string, as people write them in `.env`."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("mcp_servers", mode="before")
    @classmethod
    def _mcp_servers(cls, value: object) -> object:
        """Validate each entry here, so an error names the entry (agents.mcp.config)."""
        return parse_servers(value)

    @field_validator("api_key")
    @classmethod
    def _key_not_blank(cls, value: str | None) -> str | None:
        """A set-but-empty key would silently turn authentication off: refuse it instead."""
        if value is not None and not value.strip():
            raise ValueError("is set but empty; unset it to run without authentication, or give a key")
        return value

    @field_validator("ollama_host")
    @classmethod
    def _normalise_host(cls, value: str) -> str:
        """Accept `host:port` like the ollama CLI does, and always give a full URL."""
        value = value.strip().rstrip("/")
        if not value:
            raise ValueError("must not be empty")
        if "://" not in value:
            value = f"http://{value}"
        return value


class SettingsError(RuntimeError):
    """Start-up configuration is invalid; the message names each bad setting."""


def load_settings() -> Settings:
    """Build Settings, turning pydantic's error into one that names THINKROOM_* variables."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "?"
            env = "OLLAMA_HOST" if field == "ollama_host" else f"THINKROOM_{field.upper()}"
            problems.append(f"{env}: {err['msg']} (got {err.get('input')!r})")
        raise SettingsError("invalid configuration: " + "; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings, read once."""
    return load_settings()
