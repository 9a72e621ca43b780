"""Self-consistency (Wang et al. 2022) with adaptive early stopping, as graph-checkpointable steps.

The loop is three separable steps so a graph can checkpoint between batches:

    plan_batch(state) -> indices      which samples to draw next (empty when done)
    draw_samples(indices, ...)        the model calls, concurrently (bounded by max_concurrency)
    tally(state, samples) -> state    votes in index order, decides `done` and `winner`

Determinism: sample i uses seed = config.seed + i, and tally always counts in index order,
so the outcome does not depend on which concurrent call finished first. Ties go to the
answer that reached the tied count EARLIEST in index order.

Early stop: after each batch, stop once the leader's count exceeds the runner-up's count
plus the samples not yet drawn (no outcome of the rest can change the winner), or, with
`confidence_threshold`, once the leader's share of answered samples reaches it after
`min_samples`. plan_batch draws the fewest samples that could trigger a stop if they all
agreed, so a unanimous start never draws a sample it does not need.

Verified votes: on a task with a gold-free answer check (Game of 24's exact verifier), each
sample's answer is checked, and the winner is the most-voted answer that verifies (the plain
majority when none does). The stop rules then count only verifying answers, since one
verifying sample outvotes any number of wrong ones.

Personas: with `samplers`, sample i is the answer step of samplers[i % len] (the persona
contract on the same gateway), and its free-text answer is its 'Answer:' line or, failing
that, its first paragraph with any echoed prompt removed. With an `evaluator`, each answer is
then graded by that persona's grade turn, grounded in the concept lab where the course can
check it (`agents.reasoning.checks`): an answer the concept lab refutes is excluded from the
vote (counted in `exclusions`, not in `counts`), one it confirms is verified, and among
persona samples two answers the concept lab confirmed against the same reference, or whose
words match (`SAME_ANSWER`), are one answer. `agreement` stays the winner's share of every
answered sample, the excluded ones included.

Prefix reuse: every sample sends the byte-identical prompt, so llama.cpp's KV cache and
Ollama's prompt cache evaluate it once; `prefix_reuse=False` prepends a per-sample nonce
line, which defeats both (used by the bench to measure the saving).
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr

from agents.llm.errors import GatewayError
from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions
from agents.reasoning import AnswerCheck, grade_task, persona_ref, persona_sources, read_check, without_echo
from tools.grounding.text import similarity

from .answers import normalize_answer
from .base import Emit, Stopwatch, StrategyResult, UsageTotals, emit_event, metered
from .config import CoTSCConfig
from .personas import persona_step
from .tasks import GenericTask, Task, TaskSpec

#: Two persona answers in free text whose content words match at least this well are one answer.
SAME_ANSWER = 0.6
#: The longest free-text answer a persona sample keeps (its first paragraph).
MAX_FREE_ANSWER = 400


class Sample(BaseModel):
    """One sampled chain; `abstained` when the call failed or no answer could be extracted."""

    index: int
    seed: int
    text: str = ""
    answer: str | None = None
    normalised: str | None = None
    abstained: bool = False
    verified: bool | None = Field(default=None, description="the task's gold-free answer check; None = none")
    failed: bool = Field(default=False, description="the model call itself raised a GatewayError")
    error: str | None = None
    usage: UsageTotals = Field(default_factory=UsageTotals, description="its call, as the gateway's ledger has it")
    persona: str | None = Field(default=None, description="the persona that drew it (None: the bare model)")
    framework: str | None = None
    check: dict[str, Any] | None = Field(default=None, description="the evaluator's check of its answer")
    excluded: bool = Field(default=False, description="left out of the vote: the concept lab refutes its answer")
    excluded_reason: str | None = None
    _failure: BaseException | None = PrivateAttr(default=None)

    @property
    def failure(self) -> BaseException | None:
        """The exception behind a failed persona sample (not stored in the trace)."""
        return self._failure

    @property
    def prompt_tokens(self) -> int:
        return self.usage.prompt_tokens

    @property
    def label(self) -> str | None:
        return f"{self.persona}@{self.framework}" if self.persona else None

    @property
    def check_score(self) -> float:
        score = (self.check or {}).get("score")
        return float(score) if isinstance(score, (int, float)) else -1.0


class CoTSCState(BaseModel):
    """Everything a resumed run needs; JSON via model_dump()."""

    question: str
    config: CoTSCConfig
    task: TaskSpec | None = None
    samples: list[Sample] = Field(default_factory=list, description="tallied samples, in index order")
    counts: dict[str, int] = Field(default_factory=dict)
    reached_at: dict[str, int] = Field(default_factory=dict, description="tally position where each count was hit")
    drawn: int = 0
    abstentions: int = 0
    exclusions: int = Field(default=0, description="answers left out of the vote (refuted by the concept lab)")
    references: dict[str, str] = Field(
        default_factory=dict, description="per voted answer, the concept-lab reference that verified it"
    )
    verified: dict[str, bool] = Field(default_factory=dict, description="answer check per voted answer, if any")
    winner: str | None = None
    winner_verified: bool | None = None
    majority: str | None = Field(default=None, description="the most-voted answer, verified or not")
    agreement: float = 0.0
    done: bool = False
    stop_reason: str | None = None
    usage: UsageTotals = Field(default_factory=UsageTotals)

    @property
    def remaining(self) -> int:
        return self.config.n - self.drawn

    @property
    def samples_saved(self) -> int:
        return self.config.n - self.drawn

    @property
    def answered(self) -> int:
        return self.drawn - self.abstentions

    def ranking(self) -> list[tuple[str, int]]:
        """(answer, count), best first: higher count, then earlier reached."""
        return sorted(self.counts.items(), key=lambda kv: (-kv[1], self.reached_at[kv[0]]))

    def standing(self) -> list[tuple[str, int]]:
        """The ranking with verified answers first: the first is the winner."""
        return sorted(self.ranking(), key=lambda kv: not self.verified.get(kv[0], False))

    def contenders(self) -> list[int]:
        """Counts that can still win, best first: with an answer check, only verified answers'."""
        return [c for a, c in self.ranking() if not self.verified or self.verified.get(a, False)]


def init_cot_sc(question: str, config: CoTSCConfig | None = None, task: Task | None = None) -> CoTSCState:
    return CoTSCState(question=question, config=config or CoTSCConfig(), task=task.spec if task else None)


def _leader_counts(state: CoTSCState) -> tuple[int, int]:
    """Leader and runner-up among the contenders (0 when there is none: any new answer could win)."""
    counts = state.contenders()
    leader = counts[0] if counts else 0
    runner_up = counts[1] if len(counts) > 1 else 0
    return leader, runner_up


def _stop_reason(state: CoTSCState) -> str | None:
    cfg = state.config
    if state.remaining <= 0:
        return "all_samples"
    if not cfg.early_stop:
        return None
    leader, runner_up = _leader_counts(state)
    if leader > runner_up + state.remaining:
        return "decided"
    if (
        cfg.confidence_threshold is not None
        and state.drawn >= cfg.min_samples
        and state.answered > 0
        and leader / state.answered >= cfg.confidence_threshold
    ):
        return "confident"
    return None


def _samples_to_decide(state: CoTSCState) -> int:
    """Fewest further samples that could end the run if they all agreed with the leader."""
    cfg = state.config
    leader, runner_up = _leader_counts(state)
    remaining = state.remaining
    for k in range(1, remaining + 1):
        if leader + k > runner_up + (remaining - k):
            return k
        share_ok = cfg.confidence_threshold is not None and (leader + k) / (state.answered + k) >= (
            cfg.confidence_threshold
        )
        if share_ok and state.drawn + k >= cfg.min_samples:
            return k
    return remaining


def plan_batch(state: CoTSCState) -> list[int]:
    """Indices of the samples to draw next; [] once the vote is done."""
    if state.done or state.remaining <= 0:
        return []
    size = state.remaining if not state.config.early_stop else _samples_to_decide(state)
    size = max(1, min(size, state.config.max_concurrency, state.remaining))
    return list(range(state.drawn, state.drawn + size))


def sample_prompt(base_prompt: str, index: int, prefix_reuse: bool) -> str:
    """The identical prompt for every sample, or a nonce-prefixed one that defeats prompt caching."""
    return base_prompt if prefix_reuse else f"[sample {index}]\n{base_prompt}"


async def draw_samples(
    indices: list[int],
    question: str,
    cfg: CoTSCConfig,
    gateway: Gateway,
    *,
    task: Task | None = None,
    fail_if_all: bool = False,
) -> list[Sample]:
    """Draw the given samples concurrently (≤ max_concurrency); failures become abstentions.

    With `fail_if_all` (no earlier sample succeeded), a batch whose every call failed raises the
    first failure: the vote may drop failed samples only while some succeed.
    """
    task = task or GenericTask(question, {"question": question})
    base_prompt = task.cot_prompt()
    limit = asyncio.Semaphore(cfg.max_concurrency)
    errors: dict[int, GatewayError] = {}
    if cfg.samplers:
        samples = list(
            await asyncio.gather(*(_persona_sample(i, base_prompt, task, cfg, gateway, limit) for i in indices))
        )
        if fail_if_all and samples and all(s.failed for s in samples) and samples[0].failure is not None:
            raise samples[0].failure
        return samples

    async def one(index: int) -> Sample:
        seed = cfg.seed + index
        options = GenerationOptions(temperature=cfg.temperature, max_tokens=cfg.max_tokens, seed=seed)
        async with limit:
            with metered() as meter:
                try:
                    result = await gateway.chat(sample_prompt(base_prompt, index, cfg.prefix_reuse), options=options)
                except GatewayError as exc:
                    errors[index] = exc
                    result = None
        if result is None:
            error = f"{type(errors[index]).__name__}: {errors[index]}"
            return Sample(index=index, seed=seed, abstained=True, failed=True, error=error, usage=meter.totals)
        answer = task.extract(result.text)
        normalised = normalize_answer(answer, numeric=task.numeric) if answer is not None else None
        return Sample(
            index=index,
            seed=seed,
            text=result.text,
            answer=answer,
            normalised=normalised or None,
            abstained=not normalised,
            verified=task.check_answer(answer) if normalised else None,
            error=None if normalised else "no extractable answer",
            usage=meter.totals,
        )

    samples = list(await asyncio.gather(*(one(i) for i in indices)))
    if fail_if_all and samples and len(errors) == len(samples):
        raise errors[min(errors)]
    return samples


def persona_answer(task: Task, text: str, sources: list[str]) -> str | None:
    """A persona sample's answer: its 'Answer:' line, else (free text) its first paragraph, echoes removed."""
    found = task.extract(text)
    if found is not None or task.numeric:
        return found
    cleaned = without_echo(text, sources)
    paragraph = next((p.strip() for p in cleaned.split("\n\n") if p.strip()), "")
    return paragraph[:MAX_FREE_ANSWER] or None


async def _persona_sample(
    index: int, prompt: str, task: Task, cfg: CoTSCConfig, gateway: Gateway, limit: asyncio.Semaphore
) -> Sample:
    """Sample `index` drawn by its persona, then checked by the evaluator persona (if any)."""
    label = cfg.samplers[index % len(cfg.samplers)]
    ref = persona_ref(label)
    seed = cfg.seed + index
    options = GenerationOptions(temperature=cfg.temperature, max_tokens=cfg.max_tokens, seed=seed)
    async with limit:
        reply, usage = await persona_step(
            label, "answer", sample_prompt(prompt, index, cfg.prefix_reuse), gateway, options
        )
    if not reply.ok:
        failed = Sample(
            index=index,
            seed=seed,
            abstained=True,
            failed=True,
            error=reply.error,
            usage=usage,
            persona=ref.persona,
            framework=ref.framework,
        )
        failed._failure = reply.failure
        return failed
    answer = persona_answer(task, reply.text, persona_sources(label, prompt))
    normalised = normalize_answer(answer, numeric=task.numeric) if answer is not None else None
    sample = Sample(
        index=index,
        seed=seed,
        text=reply.text,
        answer=answer,
        normalised=normalised or None,
        abstained=not normalised,
        verified=task.check_answer(answer) if normalised else None,
        error=None if normalised else "no answer (nothing but an echo of the prompt)" if reply.text else "no answer",
        usage=usage,
        persona=ref.persona,
        framework=ref.framework,
    )
    if cfg.evaluator is not None and normalised and answer is not None:
        async with limit:
            check, cost = await check_answer(cfg.evaluator, task.question, answer, gateway)
        sample.usage = sample.usage.merged(cost)
        sample.check = check.summary()
        if check.contradicts:
            sample.excluded, sample.verified = True, False
            sample.excluded_reason = "contradicts the concept lab: " + "; ".join(check.reasons[:2])
        elif check.verified is not None:
            sample.verified = check.verified
    return sample


async def check_answer(label: str, question: str, answer: str, gateway: Gateway) -> tuple[AnswerCheck, UsageTotals]:
    """The evaluator persona's grade of `answer`, read as a concept-lab check (and what it cost)."""
    reply, usage = await persona_step(label, "evaluate", grade_task(question, answer), gateway, graded=True)
    if not reply.ok:
        return AnswerCheck(by=reply.label, error=reply.error), usage
    from tools.grading.score import parse_score

    return read_check(reply.label, reply.grounding, parse_score(reply.text)), usage


def nothing_succeeded(state: CoTSCState) -> bool:
    """True while every sample drawn so far (none, at the start) failed its model call."""
    return all(s.failed for s in state.samples)


def tally(state: CoTSCState, samples: list[Sample], emit: Emit | None = None) -> CoTSCState:
    """Count the samples in index order; returns a new state with `done`, `winner`, `agreement`."""
    new = state.model_copy(deep=True)
    for sample in sorted(samples, key=lambda s: s.index):
        sample = sample.model_copy()
        new.drawn += 1
        new.usage = new.usage.merged(sample.usage)
        if sample.abstained or sample.normalised is None:
            new.abstentions += 1
        elif sample.excluded:
            new.exclusions += 1
        else:
            key = _vote_key(new, sample) if sample.persona else sample.normalised
            sample.normalised = key
            new.counts[key] = new.counts.get(key, 0) + 1
            new.reached_at[key] = new.drawn
            if sample.verified is not None:
                new.verified[key] = new.verified.get(key, False) or sample.verified
            reference = (sample.check or {}).get("reference")
            if sample.verified and reference and key not in new.references:
                new.references[key] = str(reference)
        new.samples.append(sample)
        event: dict[str, Any] = {
            "index": sample.index,
            "answer": sample.answer,
            "normalised": sample.normalised,
            "abstained": sample.abstained,
            "verified": sample.verified,
            "error": sample.error if sample.failed else None,
        }
        if sample.persona:
            event.update(
                persona=sample.persona,
                framework=sample.framework,
                excluded=sample.excluded,
                excluded_reason=sample.excluded_reason,
                checked_by=(sample.check or {}).get("by"),
            )
        emit_event(emit, "cot_sc.sample", event)
    standing = new.standing()
    new.winner = standing[0][0] if standing else None
    new.winner_verified = new.verified.get(new.winner, False) if new.verified and new.winner else None
    new.majority = new.ranking()[0][0] if standing else None
    new.agreement = standing[0][1] / new.answered if standing and new.answered else 0.0
    reason = _stop_reason(new)
    if reason is not None:
        new.done, new.stop_reason = True, reason
        emit_event(emit, "cot_sc.vote", vote_summary(new))
    return new


def _vote_key(state: CoTSCState, sample: Sample) -> str:
    """The answer a persona sample votes for: an answer already voted for that says the same, else its own.

    Same: equal once normalised; both verified against one concept-lab reference; or, in free
    text, words that match at least SAME_ANSWER.
    """
    key = sample.normalised or ""
    if key in state.counts:
        return key
    reference = (sample.check or {}).get("reference")
    if sample.verified and reference:
        for voted, verified_by in state.references.items():
            if verified_by == reference:
                return voted
    numeric = state.task is not None and state.task.name in ("gsm8k",)
    if not numeric:
        for voted in state.counts:
            if similarity(key, voted) >= SAME_ANSWER and state.verified.get(voted) == sample.verified:
                return voted
    return key


def voters(state: CoTSCState) -> dict[str, list[str]]:
    """Per voted answer, who voted for it ("tutor@crewai #2"); the excluded answers are listed apart."""
    found: dict[str, list[str]] = {}
    for sample in state.samples:
        if sample.label and sample.normalised in state.counts and not sample.excluded:
            found.setdefault(sample.normalised, []).append(f"{sample.label} #{sample.index}")
    return found


def vote_summary(state: CoTSCState) -> dict[str, Any]:
    if any(s.persona for s in state.samples):
        return {**_summary(state), **_persona_summary(state)}
    return _summary(state)


def _persona_summary(state: CoTSCState) -> dict[str, Any]:
    return {
        "samplers": list(state.config.samplers),
        "evaluator": state.config.evaluator,
        "voters": voters(state),
        "exclusions": state.exclusions,
        "excluded": [
            {
                "index": s.index,
                "persona": s.persona,
                "framework": s.framework,
                "answer": s.answer,
                "reason": s.excluded_reason,
                "checked_by": (s.check or {}).get("by"),
            }
            for s in state.samples
            if s.excluded
        ],
        "references": dict(state.references),
    }


def _summary(state: CoTSCState) -> dict[str, Any]:
    return {
        "counts": dict(state.ranking()),
        "winner": state.winner,
        "winner_verified": state.winner_verified,
        "majority": state.majority,
        "verified": dict(state.verified),
        "agreement": state.agreement,
        "abstentions": state.abstentions,
        "failed_samples": [s.index for s in state.samples if s.failed],
        "samples_used": state.drawn,
        "samples_saved": state.samples_saved,
        "stop_reason": state.stop_reason,
    }


def winning_sample(state: CoTSCState) -> Sample | None:
    """The first sample that gave the winning answer (one that verified, if the winner did); among
    checked persona samples, the one the evaluator scored highest (the best-supported wording)."""
    matching = [s for s in state.samples if s.normalised == state.winner and not s.excluded]
    if any(s.check for s in matching):
        ranked = sorted(matching, key=lambda s: (not s.verified, -s.check_score, s.index))
        return ranked[0] if ranked else None
    return next((s for s in matching if s.verified), matching[0] if matching else None)


async def run_cot_sc(
    task: Task | str,
    gateway: Gateway,
    config: CoTSCConfig | None = None,
    emit: Emit | None = None,
) -> StrategyResult:
    """plan_batch → draw_samples → tally until done; the winner is the answer."""
    watch = Stopwatch()
    if isinstance(task, str):
        task = GenericTask(task, {"question": task})
    state = init_cot_sc(task.question, config, task)
    while not state.done:
        indices = plan_batch(state)
        samples = await draw_samples(
            indices, state.question, state.config, gateway, task=task, fail_if_all=nothing_succeeded(state)
        )
        state = tally(state, samples, emit)
    winner_sample = winning_sample(state)
    answer = winner_sample.answer if winner_sample else None
    per_sample = [s.prompt_tokens for s in state.samples if not s.failed]
    trace = state.model_dump()
    trace["vote"] = vote_summary(state)
    trace["prompt_tokens_per_sample"] = per_sample
    return StrategyResult(
        strategy="cot_sc",
        answer=answer,
        raw=winner_sample.text if winner_sample else "",
        verified=task.verify(answer),
        trace=trace,
        usage=state.usage,
        wall_time_s=watch.elapsed(),
    )


__all__ = [
    "CoTSCState",
    "Sample",
    "draw_samples",
    "init_cot_sc",
    "nothing_succeeded",
    "persona_answer",
    "plan_batch",
    "run_cot_sc",
    "sample_prompt",
    "tally",
    "vote_summary",
    "winning_sample",
]
