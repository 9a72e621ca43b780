"""Nothing phones home: telemetry switches are forced off and framework imports stay local."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from agents.offline import TELEMETRY_OFF

GUARD = textwrap.dedent(
    """
    import ipaddress, socket, sys
    attempts = []
    real = socket.socket.connect
    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else "unix"
        local = host == "unix" or host == "localhost"
        if not local:
            try:
                local = ipaddress.ip_address(host).is_loopback
            except ValueError:
                local = False
        if not local:
            attempts.append(address)
            raise ConnectionRefusedError(address)
        return real(self, address)
    socket.socket.connect = connect
    real_getaddrinfo = socket.getaddrinfo
    def getaddrinfo(host, *args, **kwargs):
        if host not in (None, "localhost", "127.0.0.1", "::1"):
            attempts.append(("dns", host))
        return real_getaddrinfo(host, *args, **kwargs)
    socket.getaddrinfo = getaddrinfo
    """
)


def run_guarded(body: str, **env: str) -> subprocess.CompletedProcess[str]:
    script = GUARD + textwrap.dedent(body) + "\nprint('ATTEMPTS', attempts)\n"
    environment = {**os.environ, **env}
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment, timeout=240)


def test_importing_agents_forces_telemetry_off_even_if_the_user_enabled_it() -> None:
    result = run_guarded(
        """
        import os, agents
        print({k: os.environ[k] for k in ("CREWAI_DISABLE_TELEMETRY", "OTEL_SDK_DISABLED", "ANONYMIZED_TELEMETRY")})
        """,
        CREWAI_DISABLE_TELEMETRY="false",
        OTEL_SDK_DISABLED="false",
    )
    assert result.returncode == 0, result.stderr
    assert "'CREWAI_DISABLE_TELEMETRY': 'true'" in result.stdout
    assert "'OTEL_SDK_DISABLED': 'true'" in result.stdout
    assert "'ANONYMIZED_TELEMETRY': 'False'" in result.stdout
    assert all(os.environ[k] == v for k, v in TELEMETRY_OFF.items())


def test_frameworks_make_no_outbound_connection_when_building_agents() -> None:
    result = run_guarded(
        """
        import agents
        from crewai import Agent, Crew, Task
        from autogen_agentchat.teams import RoundRobinGroupChat  # noqa: F401
        import chromadb  # noqa: F401
        from langgraph.graph import StateGraph  # noqa: F401
        agent = Agent(role="tutor", goal="teach", backstory="a patient teacher", llm="ollama/llama3.2:3b")
        crew = Crew(agents=[agent], tasks=[Task(description="x", expected_output="y", agent=agent)])
        print("built", type(crew).__name__)
        """
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "built Crew" in result.stdout
    assert "ATTEMPTS []" in result.stdout, result.stdout
