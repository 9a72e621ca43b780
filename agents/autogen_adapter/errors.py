"""The shared agent error, re-exported where the AutoGen adapter's callers expect it."""

from agents.errors import AgentRunError, break_cycles, caused_by, find_agent_error

__all__ = ["AgentRunError", "break_cycles", "caused_by", "find_agent_error"]
