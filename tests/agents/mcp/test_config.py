"""THINKROOM_MCP_SERVERS is validated at start-up: good entries parse, a bad one is refused
naming its index and name, in the settings error and as `thinkroom serve`'s one-line exit."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agents.mcp import HttpServer, StdioServer, parse_servers, servers_for
from agents.settings import SettingsError, load_settings
from tests.server.helpers import run_cli

GOOD = [
    {"name": "glossary", "command": "python", "args": ["server.py"], "env": {"LANG": "C"}},
    {"name": "docs", "url": "http://127.0.0.1:9000/mcp", "headers": {"Authorization": "Bearer x"}, "agents": ["tutor"]},
]


def test_stdio_and_http_entries_parse() -> None:
    stdio, http = parse_servers(json.dumps(GOOD))
    assert isinstance(stdio, StdioServer) and stdio.args == ["server.py"] and stdio.env == {"LANG": "C"}
    assert isinstance(http, HttpServer) and http.url.endswith("/mcp") and http.timeout_s == 30
    assert [s.name for s in servers_for("tutor", [stdio, http])] == ["glossary", "docs"]
    assert [s.name for s in servers_for("coder", [stdio, http])] == ["glossary"]
    assert parse_servers("") == [] and parse_servers("[]") == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[{", "is not valid JSON"),
        ('{"name": "x"}', "must be a JSON list of servers"),
        ([{"name": "docs", "command": "x", "url": "http://h/mcp"}], "entry 0 ('docs'): give either 'command'"),
        ([GOOD[0], {"name": "docs", "url": "ftp://h/mcp"}], "entry 1 ('docs'): url: must be an http:// or https://"),
        ([{"name": "g", "command": "x", "comand": "y"}], "entry 0 ('g'): comand: Extra inputs are not permitted"),
        ([{"name": "g", "command": "x", "agents": ["teacher"]}], "entry 0 ('g'): agents: unknown agent(s) teacher"),
        ([{"name": "has space", "command": "x"}], "entry 0 ('has space'): name: String should match pattern"),
        ([GOOD[0], GOOD[0]], "server names must be unique: glossary"),
        (["python server.py"], "entry 0 must be an object"),
    ],
)
def test_a_bad_entry_is_refused_naming_it(value: Any, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_servers(value if isinstance(value, str) else json.dumps(value))
    assert message in str(caught.value)


def test_the_settings_error_names_the_variable_and_the_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THINKROOM_MCP_SERVERS", json.dumps([GOOD[0], {"name": "docs"}]))
    with pytest.raises(SettingsError, match=r"THINKROOM_MCP_SERVERS: .*entry 1 \('docs'\): give either 'command'"):
        load_settings()


def test_thinkroom_serve_refuses_a_bad_value_in_one_line() -> None:
    bad = json.dumps([{"name": "docs", "url": "not a url"}])
    result = run_cli("serve", "--port", "1", timeout=120, THINKROOM_MCP_SERVERS=bad)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "THINKROOM_MCP_SERVERS" in lines[0] and "entry 0 ('docs'): url: must be an http:// or https://" in lines[0]
