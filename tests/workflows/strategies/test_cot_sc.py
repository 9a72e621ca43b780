from __future__ import annotations

import json

import pytest

from agents.llm.errors import BackendError
from workflows.strategies import CoTSCConfig, get_task
from workflows.strategies.cot_sc import draw_samples, init_cot_sc, plan_batch, run_cot_sc, tally

from .helpers import Events, scripted

QUESTION = "How many apples?"


def answers(*values: str) -> list[dict[str, object]]:
    return [{"pattern": "apples", "responses": [f"Thinking...\nAnswer: {v}" for v in values]}]


async def test_vote_normalises_answers() -> None:
    gateway, _ = scripted(answers("1,000", "$1000", "7", "1000.0", "7"))
    events = Events()
    result = await run_cot_sc(QUESTION, gateway, CoTSCConfig(n=5, early_stop=False), emit=events)
    vote = result.trace["vote"]
    assert vote["counts"] == {"1000": 3, "7": 2}
    assert vote["winner"] == "1000" and vote["agreement"] == 0.6
    assert vote["samples_used"] == 5 and vote["samples_saved"] == 0
    assert result.answer == "1,000"  # the raw text of the first winning sample
    assert [e["index"] for e in events.of("cot_sc.sample")] == [0, 1, 2, 3, 4]
    assert events.of("cot_sc.vote") == [vote]
    assert result.usage.calls == 5
    json.dumps(result.model_dump())  # the whole trace is JSON


async def test_tie_goes_to_the_answer_that_reached_the_count_first() -> None:
    gateway, _ = scripted(answers("A", "B", "B", "A"))
    result = await run_cot_sc(QUESTION, gateway, CoTSCConfig(n=4, early_stop=False))
    assert result.trace["counts"] == {"a": 2, "b": 2}
    assert result.trace["vote"]["winner"] == "b"  # b reached 2 at sample 3, a only at sample 4
    assert result.answer == "B"


async def test_early_stop_after_three_unanimous_samples_saves_two() -> None:
    gateway, backend = scripted(answers("42"))
    result = await run_cot_sc(QUESTION, gateway, CoTSCConfig(n=5, max_concurrency=8))
    vote = result.trace["vote"]
    assert (vote["samples_used"], vote["samples_saved"], vote["stop_reason"]) == (3, 2, "decided")
    assert len(backend.options) == 3 and result.usage.calls == 3


async def test_early_stop_steps_batch_by_batch() -> None:
    gateway, _ = scripted(answers("42", "7", "42", "42", "9"))
    cfg = CoTSCConfig(n=5, max_concurrency=8)
    state = init_cot_sc(QUESTION, cfg)
    batches = []
    while not state.done:
        batch = plan_batch(state)
        batches.append(batch)
        state = tally(state, await draw_samples(batch, QUESTION, cfg, gateway))
    # after [42, 7, 42]: 2 vs 1 with 2 left -> one more sample can decide; 3 > 1 + 1 stops
    assert batches == [[0, 1, 2], [3]]
    assert state.winner == "42" and state.drawn == 4 and state.samples_saved == 1
    assert plan_batch(state) == []
    assert type(state).model_validate(json.loads(state.model_dump_json())) == state  # checkpoint round trip


async def test_no_early_stop_without_a_margin() -> None:
    gateway, _ = scripted(answers("1", "2", "1", "2", "1"))
    result = await run_cot_sc(QUESTION, gateway, CoTSCConfig(n=5))
    assert result.trace["vote"]["samples_used"] == 5 and result.trace["vote"]["winner"] == "1"


async def test_confidence_threshold_stops_after_min_samples() -> None:
    gateway, _ = scripted(answers("42"))
    cfg = CoTSCConfig(n=10, confidence_threshold=0.7, min_samples=3)
    result = await run_cot_sc(QUESTION, gateway, cfg)
    vote = result.trace["vote"]
    assert (vote["samples_used"], vote["samples_saved"], vote["stop_reason"]) == (3, 7, "confident")


async def test_failed_call_and_unparseable_sample_are_abstentions() -> None:
    rules = [{"pattern": "apples", "responses": ["Answer: 5", "Answer: 5", "I am not sure.", "Answer: 6", "Answer: 5"]}]
    gateway, _ = scripted(rules, fail_calls={1})  # call 1 raises BackendError
    events = Events()
    result = await run_cot_sc(QUESTION, gateway, CoTSCConfig(n=5, early_stop=False), emit=events)
    abstained = [e["index"] for e in events.of("cot_sc.sample") if e["abstained"]]
    # the failed call consumed no scripted response, so samples 2.. see responses 1..
    assert abstained == [1, 3]
    assert result.trace["abstentions"] == 2
    assert result.trace["counts"] == {"5": 2, "6": 1}
    assert result.answer == "5" and result.trace["agreement"] == 2 / 3
    assert result.usage.failed_calls == 1
    assert result.trace["vote"]["failed_samples"] == [1]  # the dropped sample is named
    assert [e["error"] is not None for e in events.of("cot_sc.sample")] == [False, True, False, False, False]


async def test_when_every_sample_fails_the_strategy_fails_with_the_typed_error() -> None:
    gateway, backend = scripted(answers("5"), fail_calls=set(range(20)))
    with pytest.raises(BackendError, match="scripted failure on call 0"):
        await run_cot_sc(QUESTION, gateway, CoTSCConfig(n=8, max_concurrency=2))
    assert len(backend.options) == 2  # the first all-failed batch ends the run: no more calls to a dead backend


async def test_a_failed_batch_after_a_success_degrades_instead_of_failing() -> None:
    gateway, _ = scripted(answers("5"), fail_calls={1, 2})
    result = await run_cot_sc(QUESTION, gateway, CoTSCConfig(n=3, max_concurrency=1, early_stop=False))
    assert result.answer == "5" and result.trace["vote"]["failed_samples"] == [1, 2]


async def test_seeds_and_prefix_reuse() -> None:
    gateway, backend = scripted(answers("3"))
    await run_cot_sc(QUESTION, gateway, CoTSCConfig(n=4, seed=100, early_stop=False, temperature=0.9))
    assert sorted(o.seed for o in backend.options if o.seed is not None) == [100, 101, 102, 103]
    assert {o.temperature for o in backend.options} == {0.9}
    assert len(set(backend.prompts)) == 1  # identical prompt -> cacheable prefix

    gateway, backend = scripted(answers("3"))
    await run_cot_sc(QUESTION, gateway, CoTSCConfig(n=4, early_stop=False, prefix_reuse=False))
    assert len(set(backend.prompts)) == 4


async def test_gsm8k_task_votes_numerically_and_verifies() -> None:
    task = get_task("gsm8k", index=0)  # Janet's ducks, reference 18
    gateway, _ = scripted(
        [{"pattern": "Janet", "responses": ["... so $18.00\nAnswer: $18", "Answer: 18 dollars", "Answer: 18"]}]
    )
    result = await run_cot_sc(task, gateway, CoTSCConfig(n=3, early_stop=False))
    assert result.trace["counts"] == {"18": 3} and result.verified is True
    # with early stop, two agreeing samples of three already decide the vote
    gateway, _ = scripted([{"pattern": "Janet", "responses": ["Answer: 18"]}])
    result = await run_cot_sc(task, gateway, CoTSCConfig(n=3))
    assert result.trace["vote"]["samples_used"] == 2 and result.trace["vote"]["samples_saved"] == 1


RIGHT, WRONG = "(4 * 5) + (10 - 6) = 24", "(4 + 5) * 6 - 10 = 24"  # the second is 44


def game24_samples(*answers: str) -> list[dict[str, object]]:
    return [{"pattern": "Input: 4 5 6 10", "responses": [f"Steps: ...\nAnswer: {a}" for a in answers]}]


async def test_on_a_verifying_task_the_most_voted_verified_answer_wins() -> None:
    task = get_task("game24", puzzle="4 5 6 10")
    gateway, _ = scripted(game24_samples(WRONG, RIGHT, WRONG, "4 * 6 = 24"))
    events = Events()
    result = await run_cot_sc(task, gateway, CoTSCConfig(n=4, early_stop=False), emit=events)
    vote = result.trace["vote"]
    assert vote["counts"] == {WRONG: 2, RIGHT: 1, "4 * 6 = 24": 1}
    assert vote["verified"] == {WRONG: False, RIGHT: True, "4 * 6 = 24": False}
    assert (vote["winner"], vote["winner_verified"], vote["majority"]) == (RIGHT, True, WRONG)
    assert result.answer == RIGHT and result.verified is True
    assert events.of("cot_sc.vote") == [vote]
    assert [e["verified"] for e in events.of("cot_sc.sample")] == [False, True, False, False]


async def test_when_no_answer_verifies_the_majority_wins_unverified() -> None:
    task = get_task("game24", puzzle="4 5 6 10")
    gateway, _ = scripted(game24_samples(WRONG, "4 * 6 = 24", WRONG))
    result = await run_cot_sc(task, gateway, CoTSCConfig(n=3, early_stop=False))
    vote = result.trace["vote"]
    assert (vote["winner"], vote["winner_verified"], vote["majority"]) == (WRONG, False, WRONG)
    assert result.verified is False


async def test_a_task_without_a_gold_free_check_reports_no_verification() -> None:
    gateway, _ = scripted(answers("7", "7", "8"))
    result = await run_cot_sc(QUESTION, gateway, CoTSCConfig(n=3, early_stop=False))
    assert result.trace["vote"]["verified"] == {} and result.trace["vote"]["winner_verified"] is None
    # GSM8K has a reference answer, but that is gold: the vote never looks at it
    gateway, _ = scripted([{"pattern": "Janet", "responses": ["Answer: 17", "Answer: 17", "Answer: 18"]}])
    result = await run_cot_sc(get_task("gsm8k", index=0), gateway, CoTSCConfig(n=3, early_stop=False))
    assert result.answer == "17" and result.trace["vote"]["winner_verified"] is None and result.verified is False


async def test_early_stop_counts_only_verified_answers() -> None:
    task = get_task("game24", puzzle="4 5 6 10")
    # three agreeing verified samples of five decide the vote, as without a verifier
    gateway, _ = scripted(game24_samples(RIGHT))
    result = await run_cot_sc(task, gateway, CoTSCConfig(n=5, max_concurrency=8))
    assert (result.trace["vote"]["samples_used"], result.trace["vote"]["stop_reason"]) == (3, "decided")
    # three agreeing wrong ones do not: any later sample that verifies would win
    gateway, _ = scripted(game24_samples(WRONG, WRONG, WRONG, WRONG, RIGHT))
    result = await run_cot_sc(task, gateway, CoTSCConfig(n=5, max_concurrency=8))
    vote = result.trace["vote"]
    assert (vote["samples_used"], vote["stop_reason"], vote["winner"], vote["winner_verified"]) == (
        5,
        "all_samples",
        RIGHT,
        True,
    )
