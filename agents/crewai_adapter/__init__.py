"""CrewAI adapter: personas as CrewAI agents and crews over the thinkroom gateway.

`import crewai` takes seconds, so this package imports it only when a name below is
first used (PEP 562); `AgentRunError` comes from a module that does not import CrewAI.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import AgentRunError

_LAZY = {
    "GatewayLLM": "llm",
    "build_agent": "build",
    "build_llm": "build",
    "concept_tools": "tools",
    "run_persona_crewai": "run",
    "kickoff_crew": "run",
    "LessonDraft": "lesson",
    "LessonGrades": "lesson",
    "LessonResult": "lesson",
    "lesson_explain": "lesson",
    "lesson_grade": "lesson",
    "run_lesson_crew": "lesson",
    "PromptLabResult": "prompt_lab",
    "run_prompt_lab": "prompt_lab",
}

if TYPE_CHECKING:
    from .build import build_agent, build_llm
    from .lesson import LessonDraft, LessonGrades, LessonResult, lesson_explain, lesson_grade, run_lesson_crew
    from .llm import GatewayLLM
    from .prompt_lab import PromptLabResult, run_prompt_lab
    from .run import kickoff_crew, run_persona_crewai
    from .tools import concept_tools


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


__all__ = [
    "AgentRunError",
    "GatewayLLM",
    "LessonDraft",
    "LessonGrades",
    "LessonResult",
    "PromptLabResult",
    "build_agent",
    "build_llm",
    "concept_tools",
    "kickoff_crew",
    "lesson_explain",
    "lesson_grade",
    "run_lesson_crew",
    "run_persona_crewai",
    "run_prompt_lab",
]
