"""A strategy's usage is read from the gateway's usage ledger, not counted beside it: its
figures equal the ledger's records of its own calls (also with failed calls, replies that
failed their schema, and two strategies sharing one gateway at once)."""

from __future__ import annotations

import asyncio

from agents.llm.gateway import Gateway
from agents.llm.types import Usage
from workflows.strategies import CoTSCConfig, ToTConfig, UsageTotals, get_task, run_cot_sc, run_direct, run_tot

from .helpers import scripted
from .test_tot_choice import ANY_VALUE, CHOICE, PUZZLE, choose


def ledger(gateway: Gateway) -> tuple[int, int, int]:
    records: list[Usage] = gateway.ledger.records
    return len(records), sum(r.prompt_tokens for r in records), sum(r.completion_tokens for r in records)


def figures(usage: UsageTotals) -> tuple[int, int, int]:
    return usage.calls, usage.prompt_tokens, usage.completion_tokens


async def test_cot_sc_usage_is_its_calls_in_the_ledger_and_the_sum_of_its_samples() -> None:
    rules = [{"pattern": "apples", "responses": ["Answer: 5", "Well, I count them: Answer: 5", "Answer: 6 apples"]}]
    gateway, _ = scripted(rules, fail_calls={1})
    result = await run_cot_sc("How many apples?", gateway, CoTSCConfig(n=4, early_stop=False))
    assert figures(result.usage) == ledger(gateway) and result.usage.calls == 3
    assert result.usage.failed_calls == 1 and result.trace["vote"]["failed_samples"] == [1]
    samples = result.trace["samples"]
    assert [s["usage"]["calls"] for s in samples] == [1, 0, 1, 1]
    assert [s["usage"]["failed_calls"] for s in samples] == [0, 1, 0, 0]
    per_call = [r.completion_tokens for r in gateway.ledger.records]
    assert len(set(per_call)) == 3  # three different replies: the sums below are not a multiple of one call
    assert sum(s["usage"]["completion_tokens"] for s in samples) == sum(per_call) == result.usage.completion_tokens


async def test_a_reply_that_failed_its_schema_cost_tokens_and_failed() -> None:
    """Counted in both: the gateway recorded the call (it cost tokens), then raised on its JSON."""
    answers = ["4 * 5 = 20 (left: 6 10 20)", "4 * 5 = 20 (left: 6 10 20)", "10 / 6 = 30 (left: 30 10 10)"]
    gateway, _ = scripted([choose(PUZZLE, answers), ANY_VALUE])
    result = await run_tot(get_task("game24", puzzle=PUZZLE), gateway, ToTConfig(n_propose=3, depth=1, **CHOICE))
    assert result.usage.failed_calls == 2
    assert figures(result.usage) == ledger(gateway) and result.usage.prompt_tokens > 0


async def test_direct_is_one_call_of_the_ledger() -> None:
    gateway, _ = scripted([{"pattern": ".", "response": "Answer: 42"}])
    result = await run_direct(get_task("generic", question="What is 6 times 7?"), gateway)
    assert figures(result.usage) == ledger(gateway) and result.usage.calls == 1


async def test_strategies_sharing_a_gateway_each_see_only_their_calls() -> None:
    rules = [{"pattern": "apples", "response": "Answer: 5"}, {"pattern": "pears", "response": "Answer: 7"}]
    gateway, _ = scripted(rules)
    apples, pears = await asyncio.gather(
        run_cot_sc("How many apples?", gateway, CoTSCConfig(n=3, early_stop=False)),
        run_cot_sc("How many pears are there in the basket?", gateway, CoTSCConfig(n=5, early_stop=False)),
    )
    assert (apples.usage.calls, pears.usage.calls) == (3, 5)
    assert apples.usage.prompt_tokens != pears.usage.prompt_tokens
    assert figures(apples.usage.merged(pears.usage)) == ledger(gateway)
