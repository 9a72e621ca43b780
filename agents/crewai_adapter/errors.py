"""The shared agent error, re-exported where the CrewAI adapter's callers expect it."""

from agents.errors import AgentRunError, find_agent_error

__all__ = ["AgentRunError", "find_agent_error"]
