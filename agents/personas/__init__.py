"""Framework-neutral personas for the four specialists."""

from .base import AgentReply, AgentStep, Framework, Persona
from .catalog import PERSONAS, PROMPT_TRICKS, get_persona

__all__ = ["PERSONAS", "PROMPT_TRICKS", "AgentReply", "AgentStep", "Framework", "Persona", "get_persona"]
