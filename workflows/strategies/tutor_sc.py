"""Tutor self-consistency: the tutor samples answers, the evaluator checks each against the concept lab.

This is CoT-SC with personas (`cot_sc`): sample i is the tutor's answer turn, each answer is
graded by the evaluator's grounded grade turn, an answer the concept lab refutes leaves the
vote, and the winner is the most-agreed answer the concept lab verified (the plain majority,
marked unverified, when it verified none). `sc_reply` writes the learner's reply: that
answer, then the agreement figure and what checked it. `run_tutor_sc` is the arena's
"self-consistent tutor" column on a course question.
"""

from __future__ import annotations

from agents.llm.gateway import Gateway

from .base import Emit, StrategyResult
from .config import CoTSCConfig
from .cot_sc import CoTSCState, run_cot_sc, winning_sample
from .tasks import GenericTask


def tutor_sc_config(
    n: int = 5, *, seed: int = 0, samplers: tuple[str, ...] = ("tutor",), evaluator: str = "evaluator"
) -> CoTSCConfig:
    """n tutor samples, every one drawn and checked (no early stop: the agreement figure covers all n)."""
    return CoTSCConfig(
        n=n, seed=seed, samplers=list(samplers), evaluator=evaluator, early_stop=False, max_concurrency=1
    )


def sc_reply(state: CoTSCState) -> str:
    """The best-supported answer, with how many samples agreed and whether the concept lab verified it."""
    best = winning_sample(state)
    if best is None or best.answer is None:
        return f"None of the {state.drawn} sampled answers could be read, so there is nothing to vote on."
    agreed = state.counts.get(state.winner or "", 0)
    share = round(100 * state.agreement)
    lines = [best.answer.strip(), "", f"Agreement: {agreed} of {state.answered} sampled answers ({share}%)."]
    check = best.check or {}
    if state.winner_verified:
        where = f" ({check['concept']})" if check.get("concept") else ""
        lines.append(f"Verified against the concept lab{where} by {check.get('by', state.config.evaluator)}.")
    elif any(s.check and s.check.get("verified") is not None for s in state.samples):
        lines.append("Not verified: the concept lab confirmed none of the sampled answers.")
    else:
        lines.append("Not verified: the concept lab has nothing to check this answer against.")
    if state.exclusions:
        lines.append(f"{state.exclusions} answer(s) left out of the vote: they contradict the concept lab.")
    return "\n".join(lines)


async def run_tutor_sc(
    question: str,
    gateway: Gateway,
    config: CoTSCConfig | None = None,
    emit: Emit | None = None,
) -> StrategyResult:
    """Self-consistent tutor on one question; `trace["reply"]` is the learner's reply (`sc_reply`)."""
    config = config or tutor_sc_config()
    result = await run_cot_sc(GenericTask(question, {"question": question}), gateway, config, emit)
    state = CoTSCState.model_validate({k: v for k, v in result.trace.items() if k in CoTSCState.model_fields})
    result.trace["reply"] = sc_reply(state)
    return result


__all__ = ["run_tutor_sc", "sc_reply", "tutor_sc_config"]
