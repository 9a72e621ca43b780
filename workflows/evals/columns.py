"""How each column answers one item, and what that cost.

- reference: the dataset's own solution (HumanEval's canonical solution, GSM8K's worked
  answer, the brute-force 24 solver's expression, the quiz's answer);
- a strategy: the `workflows.strategies` runner on the column's model (code items: `direct`
  only, n sampled completions);
- an agent: one persona turn per sample through `agents.runner.run_agent`.

Usage is read from the gateway's usage records of the answering calls only (a quiz judge's
calls are grading, not answering), so the token columns compare like with like.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from agents.errors import AgentRunError
from agents.evals.suites import SuiteItem
from agents.grading import JudgeCall
from agents.llm.errors import BackendUnavailable, GatewayError, ModelNotFound
from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions, Usage
from agents.llm.usage import collect_usage
from agents.personas import AgentReply
from agents.sandbox import SandboxError, SandboxUnavailable
from tools.evals.answers import extract_answer
from tools.evals.code import completion_from_reply
from tools.evals.game24 import solve_24
from tools.evals.gsm8k import final_number
from workflows.evals.prompts import answer_with_prompt, original_prompt
from workflows.evals.schema import PROMPT_STRATEGIES, ColumnOutput, ColumnSpec, EvalSpec
from workflows.evals.scoring import Verdict, score_code, score_text
from workflows.strategies.config import CoTConfig, CoTSCConfig, DirectConfig, StrategyConfig, ToTConfig
from workflows.strategies.runner import run_strategy
from workflows.strategies.tasks import Game24Task, Task, get_task

#: Faults that make every later item fail too: the run stops with them instead of scoring zeros.
FATAL = (BackendUnavailable, ModelNotFound, SandboxUnavailable)
CODE_PROMPT = "Complete this Python function. Reply with the whole function in one ```python code block.\n\n{prompt}"
CODE_MAX_TOKENS = 512
#: Sampling temperature of n > 1 code samples (Chen et al. 2021 use 0.8 for large k); one sample is greedy.
CODE_TEMPERATURE = 0.8
TEXT_STRATEGIES_ONLY = ("cot", "cot_sc", "tot")


@dataclass
class Produced:
    """What a column produced for an item: a text answer, or code completions."""

    answer: str | None = None
    completions: list[str] | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def strategy_config(name: str, seed: int) -> StrategyConfig:
    """The strategy's default config with the run's seed (a checkpointed spec replays it exactly)."""
    configs: dict[str, StrategyConfig] = {
        "direct": DirectConfig(seed=seed),
        "cot": CoTConfig(seed=seed),
        "cot_sc": CoTSCConfig(seed=seed),
        "tot": ToTConfig(seed=seed),
    }
    return configs[name]


def task_for(item: SuiteItem) -> Task:
    """The strategies' task for an item: GSM8K and Game of 24 keep their own prompts and verifiers."""
    if item.kind == "gsm8k":
        return get_task("gsm8k", question=item.input, answer=item.data["number"])
    if item.kind == "game24":
        return get_task("game24", puzzle=item.input)
    return get_task("generic", question=item.input)


def agent_prompt(item: SuiteItem) -> str:
    """What a persona is asked for an item."""
    if item.kind == "code":
        return CODE_PROMPT.format(prompt=item.input)
    if item.kind == "gsm8k":
        return f"{item.input}\nEnd with the final answer on its own line as 'Answer: <number>'."
    if item.kind == "game24":
        return (
            f"Use each of the numbers {item.input} exactly once, with + - * / and parentheses, to make 24. "
            "End with the expression on its own line as 'Answer: <expression> = 24'."
        )
    return item.input


def agent_answer(item: SuiteItem, text: str) -> str | None:
    """The answer in a persona's reply, read the way the suite's scorer expects it."""
    if item.kind == "gsm8k":
        return final_number(text)
    if item.kind == "game24":
        return Game24Task(item.input, {}).extract(text)
    if item.kind == "qa":
        found = extract_answer(text)
        return found if found is not None else next((ln.strip() for ln in text.splitlines() if ln.strip()), None)
    return text


def agent_code(item: SuiteItem, reply: AgentReply) -> str:
    """The coder's last program (it ran and fixed it), else the code in its final message."""
    code_steps = [s.content for s in reply.steps if s.kind == "code"]
    text = f"```python\n{code_steps[-1]}\n```" if code_steps else reply.text
    return completion_from_reply(text, item.input, item.data.get("entry_point"))


def reference_answer(item: SuiteItem) -> Produced:
    """The dataset's own solution."""
    if item.kind == "code":
        if item.expected is None:
            raise ValueError(f"{item.id} has no 'solution' for the reference column")
        return Produced(completions=[item.expected])
    if item.kind == "game24":
        return Produced(answer=solve_24(item.input))
    if item.kind == "gsm8k":
        return Produced(answer=final_number(item.expected or ""))  # read out of the worked solution
    return Produced(answer=item.expected)


async def strategy_answer(column: ColumnSpec, item: SuiteItem, spec: EvalSpec, gateway: Gateway) -> Produced:
    assert column.strategy is not None
    if item.kind == "code" and column.strategy == "code_tree":
        return await code_tree_answer(item, spec, gateway)
    if column.strategy == "code_tree":
        raise ValueError(f"code_tree answers code items, not {item.kind} items")
    if item.kind == "code":
        if column.strategy != "direct":
            raise ValueError(f"code items take the direct or code_tree strategy or an agent, not {column.strategy}")
        temperature = 0.0 if spec.samples == 1 else CODE_TEMPERATURE
        completions = []
        for i in range(spec.samples):
            options = GenerationOptions(temperature=temperature, max_tokens=CODE_MAX_TOKENS, seed=spec.seed + i)
            reply = await gateway.chat(CODE_PROMPT.format(prompt=item.input), options=options)
            completions.append(completion_from_reply(reply.text, item.input, item.data.get("entry_point")))
        return Produced(completions=completions)
    if column.strategy == "tutor_sc":
        return await tutor_sc_answer(item, spec, gateway)
    if column.strategy in PROMPT_STRATEGIES:
        return await prompt_answer(column, item, spec, gateway)
    result = await run_strategy(task_for(item), gateway, strategy_config(column.strategy, spec.seed))
    return Produced(answer=result.answer, detail={"raw": result.raw[-400:]} if result.raw else {})


async def prompt_answer(column: ColumnSpec, item: SuiteItem, spec: EvalSpec, gateway: Gateway) -> Produced:
    """A prompt-lab column: the original prompt, or the variant its search found, applied to the item."""
    prompt = original_prompt(spec) if column.strategy == "prompt" else column.prompt
    if prompt is None:
        raise ValueError(f"{column.id} has no searched prompt: the run's prompt search did not finish")
    text = await answer_with_prompt(prompt, item, spec, gateway)
    return Produced(answer=agent_answer(item, text), detail={"reply": text[-400:]})


async def tutor_sc_answer(item: SuiteItem, spec: EvalSpec, gateway: Gateway) -> Produced:
    """The self-consistent tutor (issue 13): n tutor answers (`--samples`, at least 3), each checked by the
    evaluator against the concept lab; the best-supported verified reply is graded like any answer."""
    from workflows.strategies.tutor_sc import run_tutor_sc, tutor_sc_config

    result = await run_tutor_sc(item.input, gateway, tutor_sc_config(max(3, spec.samples), seed=spec.seed))
    reply = str(result.trace.get("reply") or result.answer or "")
    answer = reply if item.kind == "quiz" else agent_answer(item, reply)
    return Produced(answer=answer, detail={"agreement": result.trace.get("agreement"), "reply": reply[-400:]})


async def code_tree_answer(item: SuiteItem, spec: EvalSpec, gateway: Gateway) -> Produced:
    """The coder's tree search (issue 13): the coder proposes and refines, the sandbox runs the visible
    tests (the docstring's examples) and the evaluator's, the evaluator values; one program per sample."""
    from workflows.strategies.code_tree import CodeTreeConfig, solve_code

    completions, detail = [], {}
    for i in range(spec.samples):
        result = await solve_code(
            item.input, None, gateway, CodeTreeConfig(seed=spec.seed + i), entry_point=item.data.get("entry_point")
        )
        completions.append(result.completion or "")
        if i == 0:
            detail = {"tree_nodes": len(result.nodes), "stop": result.stop_reason,
                      "own_tests": f"{result.tests_passed}/{result.tests_total}"}
    return Produced(completions=completions, detail=detail)


async def agent_answer_for(column: ColumnSpec, item: SuiteItem, spec: EvalSpec, gateway: Gateway) -> Produced:
    from agents.runner import run_agent  # CrewAI / AutoGen are imported only when an agent column runs

    assert column.agent is not None
    prompt = agent_prompt(item)
    if item.kind == "code":
        replies = [await run_agent(column.agent, prompt, gateway) for _ in range(spec.samples)]
        return Produced(completions=[agent_code(item, r) for r in replies])
    reply = await run_agent(column.agent, prompt, gateway)
    return Produced(answer=agent_answer(item, reply.text), detail={"reply": reply.text[-400:]})


async def produce(column: ColumnSpec, item: SuiteItem, spec: EvalSpec, gateway: Gateway) -> Produced:
    if column.kind == "reference":
        return reference_answer(item)
    scoped = gateway.with_defaults(model=column.model)
    if column.kind == "strategy":
        return await strategy_answer(column, item, spec, scoped)
    return await agent_answer_for(column, item, spec, scoped)


def evaluated_tokens(usage: Usage) -> int:
    """Prompt tokens the backend evaluated; a record that does not say (no prompt cache info) counts them all."""
    evaluated = getattr(usage, "evaluated_prompt_tokens", None)
    return int(evaluated) if isinstance(evaluated, int) else usage.prompt_tokens


async def run_column(
    column: ColumnSpec, item: SuiteItem, spec: EvalSpec, gateway: Gateway, judge: JudgeCall | None
) -> ColumnOutput:
    """One column on one item: answer, score, count. A fault on this item is its error; FATAL ones stop the run."""
    started = time.perf_counter()
    error: str | None = None
    produced = Produced()
    with collect_usage() as records:
        try:
            produced = await produce(column, item, spec, gateway)
        except FATAL:
            raise
        except (GatewayError, AgentRunError, SandboxError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
    if error is not None:  # code: every sample it owed failed (pass@k stays defined)
        owed = 1 if column.kind == "reference" else spec.samples
        verdict = Verdict(False, n=owed, c=0) if item.kind == "code" else Verdict(False)
    elif produced.completions is not None:
        verdict = await score_code(item, produced.completions, workers=spec.workers, timeout_s=spec.timeout_s)
    else:
        verdict = await score_text(item, produced.answer, judge=None if column.kind == "reference" else judge)
    output = produced.completions[0] if produced.completions else produced.answer
    return ColumnOutput(
        output=output,
        correct=verdict.correct,
        n=verdict.n,
        c=verdict.c,
        prompt_tokens=sum(u.prompt_tokens for u in records),
        evaluated_prompt_tokens=sum(evaluated_tokens(u) for u in records),
        completion_tokens=sum(u.completion_tokens for u in records),
        calls=len(records),
        seconds=round(time.perf_counter() - started, 4),
        error=error,
        detail={**produced.detail, **verdict.detail},
    )


__all__ = ["FATAL", "Produced", "agent_prompt", "reference_answer", "run_column", "strategy_config", "task_for"]
