"""Prompt-lab columns (issue 13): the original instruction prompt against the best variant the prompt search finds.

Both columns apply a prompt to each evaluated item the same way (`with_input`, greedy, the
run's seed) and are scored by the suite's own rule, so the only difference is the prompt.
The search (the prompt-engineer proposes variants, each applying a course technique; their
outputs are scored against the expected answers) runs once per model on `train` items that
are *not* evaluated, as APE and OPRO do: a variant chosen on the test items would be scored
on the answers it was picked for.
"""

from __future__ import annotations

from agents.evals.suites import SuiteItem
from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions
from tools.reasoning.prompts import with_input
from workflows.evals.schema import ColumnSpec, EvalSpec, PromptFound
from workflows.strategies.base import Emit

#: The instruction both prompt columns start from when the spec names none.
DEFAULT_PROMPT = "Answer the question. Give the final answer on its own last line as 'Answer: <answer>'."
ANSWER_MAX_TOKENS = 256
CHECKABLE = ("gsm8k", "qa")


def original_prompt(spec: EvalSpec) -> str:
    return (spec.prompt or DEFAULT_PROMPT).strip()


def expected_of(item: SuiteItem) -> str:
    """The answer a prompt's output must give for this item."""
    return str(item.data["number"]) if item.kind == "gsm8k" else str(item.expected or "")


def training_items(suite: list[SuiteItem], evaluated: list[SuiteItem], count: int) -> list[SuiteItem]:
    """`count` checkable items outside the evaluated ones: those just before them first, then those after.

    ValueError (naming the shortfall) when the suite has too few other items.
    """
    chosen = {i.id for i in evaluated}
    first = suite.index(evaluated[0]) if evaluated else 0
    before = [i for i in reversed(suite[:first]) if i.id not in chosen]
    after = [i for i in suite[first:] if i.id not in chosen]
    found = [i for i in before + after if i.kind in CHECKABLE and (i.kind != "qa" or i.expected)][:count]
    if len(found) < count:
        raise ValueError(
            f"prompt_search needs {count} training items outside the {len(evaluated)} evaluated; "
            f"the suite has {len(found)} (lower --train or --limit)"
        )
    return found


async def search_column_prompt(
    column: ColumnSpec, spec: EvalSpec, train: list[SuiteItem], gateway: Gateway, emit: Emit | None = None
) -> PromptFound:
    """Search variants of the original prompt on the training items; the best one is what the column applies."""
    from workflows.strategies.prompt_search import PromptSearchConfig, search_prompt

    original = original_prompt(spec)
    tests = [{"input": item.input, "expected": expected_of(item)} for item in train]
    scoped = gateway.with_defaults(model=column.model)
    result = await search_prompt(original, tests, scoped, PromptSearchConfig(seed=spec.seed), emit)
    return PromptFound(
        column=column.id,
        prompt=result.prompt,
        original=original,
        techniques=result.techniques,
        train_items=[item.id for item in train],
        train_score=result.score,
        original_train_score=result.original_score,
        prompts_tried=len(result.nodes),
        search_prompt_tokens=result.usage.prompt_tokens,
        search_completion_tokens=result.usage.completion_tokens,
        search_calls=result.usage.calls,
        search_seconds=round(result.wall_time_s, 2),
    )


async def answer_with_prompt(prompt: str, item: SuiteItem, spec: EvalSpec, gateway: Gateway) -> str:
    """The model's reply to `prompt` applied to the item (greedy, the run's seed)."""
    options = GenerationOptions(temperature=0.0, max_tokens=ANSWER_MAX_TOKENS, seed=spec.seed)
    reply = await gateway.chat(with_input(prompt, item.input), options=options)
    return reply.text


__all__ = [
    "DEFAULT_PROMPT",
    "answer_with_prompt",
    "expected_of",
    "original_prompt",
    "search_column_prompt",
    "training_items",
]
