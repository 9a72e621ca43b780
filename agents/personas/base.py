"""Framework-neutral persona definitions: one source for CrewAI and AutoGen builds."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from agents.llm.types import GenerationOptions, Usage

Framework = Literal["crewai", "autogen"]
#: What one turn of the persona produces: prose, code that is run, or a grade (score + reasons).
TurnKind = Literal["answer", "code", "grade"]


class Persona(BaseModel):
    """Who an agent is and how it works; adapters turn this into framework objects."""

    name: str
    role: str
    goal: str
    backstory: str
    instructions: str
    framework: Framework
    model: str | None = Field(default=None, description="None uses the gateway's default model.")
    options: GenerationOptions = Field(default_factory=GenerationOptions)
    tools: list[str] = Field(default_factory=list, description="Concept names, or 'all' for every concept.")
    uses_sandbox: bool = False
    turn: TurnKind = "answer"
    grounded: bool = Field(
        default=False,
        description="Answer from the concept lab and notes (agents.grounded) rather than from the model's memory.",
    )
    max_iterations: int = 4
    timeout_s: float = 600.0

    def system_prompt(self) -> str:
        return f"You are the {self.role}. {self.backstory}\nYour goal: {self.goal}\n{self.instructions}"


class AgentStep(BaseModel):
    """One visible step of an agent run: a message, a tool call or a code execution."""

    kind: Literal["message", "tool_call", "tool_result", "code", "execution"]
    source: str
    content: str


class AgentReply(BaseModel):
    """What any persona run returns, whichever framework ran it."""

    persona: str
    framework: Framework
    text: str
    steps: list[AgentStep] = Field(default_factory=list)
    usage: list[Usage] = Field(default_factory=list)
    stop_reason: str = "completed"
    grounding: dict[str, Any] | None = Field(
        default=None, description="The verified parts of a grounded answer (concept, computation, errata, citations)."
    )
    context: dict[str, Any] | None = Field(
        default=None, description="How the prompt was fitted to the model's context window (tokens, budget...)."
    )

    @property
    def total_tokens(self) -> int:
        return sum(u.total_tokens for u in self.usage)
