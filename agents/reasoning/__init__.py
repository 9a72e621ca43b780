"""Persona steps: a reasoning strategy's propose, evaluate, vote or answer step done by a persona.

A strategy (`workflows.strategies`) decides what to ask and how to read the reply; a step
here decides who answers it (`PersonaRef`: tutor, coder, evaluator or prompt-engineer, on
CrewAI or AutoGen) and runs it through `agents.runner`'s persona contract, on the one
gateway. Each reply records its persona, framework and cost, so a tree node or a vote can
say who produced it.
"""

from .checks import AnswerCheck, grade_task, read_check
from .refs import PersonaRef, persona_ref, persona_refs
from .steps import StepKind, StepReply, echoes_prompt, persona_sources, run_step, without_echo

__all__ = [
    "AnswerCheck",
    "PersonaRef",
    "StepKind",
    "StepReply",
    "echoes_prompt",
    "grade_task",
    "persona_ref",
    "persona_refs",
    "persona_sources",
    "read_check",
    "run_step",
    "without_echo",
]
