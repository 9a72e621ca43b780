"""Prompt-time reasoning strategies as pure async code: direct, CoT, CoT-SC and Tree of Thoughts.

No graph framework here: every state is a pydantic model (JSON via model_dump) and every
loop is split into step functions, so a LangGraph node can checkpoint between steps.
"""

from .answers import canonical_number, extract_answer, normalize_answer
from .base import Emit, StrategyResult, UsageTotals
from .config import CoTConfig, CoTSCConfig, DirectConfig, StrategyConfig, ToTConfig
from .cot import run_cot
from .cot_sc import CoTSCState, Sample, draw_samples, init_cot_sc, plan_batch, run_cot_sc, tally
from .direct import run_direct
from .runner import run_strategy
from .tasks import Game24Task, GenericTask, GSM8KTask, Task, TaskSpec, get_task, task_from_spec
from .tot import ThoughtNode, ToTState, dfs_step, evaluate, expand, finish, init_tot, run_tot, search_tot, select

__all__ = [
    "CoTConfig",
    "CoTSCConfig",
    "CoTSCState",
    "DirectConfig",
    "Emit",
    "GSM8KTask",
    "Game24Task",
    "GenericTask",
    "Sample",
    "StrategyConfig",
    "StrategyResult",
    "Task",
    "TaskSpec",
    "ThoughtNode",
    "ToTConfig",
    "ToTState",
    "UsageTotals",
    "canonical_number",
    "dfs_step",
    "draw_samples",
    "evaluate",
    "expand",
    "extract_answer",
    "finish",
    "get_task",
    "init_cot_sc",
    "init_tot",
    "normalize_answer",
    "plan_batch",
    "run_cot",
    "run_cot_sc",
    "run_direct",
    "run_strategy",
    "run_tot",
    "search_tot",
    "select",
    "tally",
    "task_from_spec",
]
