"""THINKROOM_MCP_SERVERS: which MCP servers give the agents extra tools, validated at start-up.

Each entry is a stdio command (`{"name", "command", "args", "env"}`) or a streamable-HTTP
URL (`{"name", "url", "headers"}`); `agents` limits a server to some personas and
`timeout_s` bounds its start-up and each call. A bad entry is refused with its index and
name, so a typo fails `thinkroom serve` at once rather than the first agent turn.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agents.errors import AgentRunError

#: Seconds a server may take to start and list its tools, and to answer one call.
DEFAULT_TIMEOUT_S = 30.0


class _Server(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$", description="Shown in tool events and errors.")
    agents: list[str] | None = Field(default=None, description="Personas offered this server's tools; None: all.")
    timeout_s: float = Field(default=DEFAULT_TIMEOUT_S, gt=0, le=3600)

    @field_validator("agents")
    @classmethod
    def _known_agents(cls, value: list[str] | None) -> list[str] | None:
        from agents.personas.catalog import PERSONAS  # lazy: settings import this module

        unknown = [name for name in value or [] if name not in PERSONAS]
        if unknown:
            raise ValueError(f"unknown agent(s) {', '.join(unknown)}; choose from {', '.join(PERSONAS)}")
        return value

    def serves(self, persona: str) -> bool:
        return self.agents is None or persona in self.agents


class StdioServer(_Server):
    """A local server the agent starts as a subprocess and talks to over stdin/stdout."""

    command: str = Field(min_length=1)
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict, description="Added to the MCP SDK's minimal default env.")

    def describe(self) -> str:
        return " ".join([self.command, *self.args])


class HttpServer(_Server):
    """A server reached over streamable HTTP at `url` (e.g. http://127.0.0.1:9000/mcp)."""

    url: str
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"must be an http:// or https:// URL with a host, got {value!r}")
        return value

    def describe(self) -> str:
        return self.url


McpServer = StdioServer | HttpServer


class McpServerError(AgentRunError):
    """An MCP server could not start, list its tools or answer: the turn fails with its name."""

    def __init__(self, server: McpServer, problem: str, *, cause: BaseException | None = None) -> None:
        super().__init__(f"MCP server {server.name!r} ({server.describe()}): {problem}", cause=cause)
        self.server = server


def _entry(index: int, raw: Any) -> McpServer:
    if isinstance(raw, StdioServer | HttpServer):
        return raw
    if not isinstance(raw, dict):
        raise ValueError(f"entry {index} must be an object, got {raw!r}")
    label = f"entry {index}" + (f" ({raw['name']!r})" if isinstance(raw.get("name"), str) else "")
    if ("command" in raw) == ("url" in raw):
        raise ValueError(f"{label}: give either 'command' (a stdio server) or 'url' (streamable HTTP)")
    model: type[_Server] = StdioServer if "command" in raw else HttpServer
    try:
        return model.model_validate(raw)  # type: ignore[return-value]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()
        )
        raise ValueError(f"{label}: {problems}") from None


def parse_servers(value: Any) -> list[McpServer]:
    """The servers of a JSON list (text or already parsed); ValueError names the bad entry."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"is not valid JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(value, list):
        raise ValueError('must be a JSON list of servers, e.g. [{"name": "docs", "url": "http://host:port/mcp"}]')
    servers = [_entry(i, raw) for i, raw in enumerate(value)]
    names = [s.name for s in servers]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"server names must be unique: {', '.join(duplicates)} given more than once")
    return servers


def servers_for(persona: str, servers: list[McpServer] | None = None) -> list[McpServer]:
    """The configured servers (THINKROOM_MCP_SERVERS unless `servers` is given) that serve `persona`."""
    if servers is None:
        from agents.settings import get_settings

        servers = list(get_settings().mcp_servers)
    return [s for s in servers if s.serves(persona)]


__all__ = [
    "DEFAULT_TIMEOUT_S",
    "HttpServer",
    "McpServer",
    "McpServerError",
    "StdioServer",
    "parse_servers",
    "servers_for",
]
