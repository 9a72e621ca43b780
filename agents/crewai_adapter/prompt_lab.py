"""The prompt-lab crew: rewrite a prompt, answer both versions, judge which answer is better.

The prompt engineer (CrewAI) rewrites and names its tricks; both prompts are then
answered by the plain model through the gateway, so the only difference is the prompt;
finally the evaluator (CrewAI) compares the two answers on the same task.
"""

from __future__ import annotations

import asyncio
import time
from typing import Literal

from crewai import Task
from pydantic import BaseModel, Field

from agents.llm.errors import GatewayError
from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions, Usage
from agents.personas import AgentStep, get_persona
from tools.grading.score import parse_reasons

from .errors import AgentRunError
from .events import EventCallback, EventSink
from .parsing import TRICK_NAMES, parse_pair_scores, parse_rewritten_prompt, parse_tricks
from .run import kickoff_crew, persona_agent, resolve_model_info, sequential_crew, with_options

#: Answers to the two prompts: short enough to compare, long enough to differ.
ANSWER_OPTIONS = GenerationOptions(temperature=0.2, max_tokens=512)


class TrickApplied(BaseModel):
    trick: str = Field(description="One of the seven canonical trick names.")
    why: str


class Verdict(BaseModel):
    better: Literal["original", "rewritten", "tie", "undecided"]
    original_score: float | None = Field(default=None, description="0..1")
    rewritten_score: float | None = Field(default=None, description="0..1")
    reasons: str = ""
    method: Literal["model", "unparsed", "skipped"] = "model"


class PromptLabResult(BaseModel):
    original_prompt: str
    rewritten_prompt: str
    rewrite_source: Literal["model", "original"] = "model"
    tricks_applied: list[TrickApplied]
    original_answer: str
    rewritten_answer: str
    verdict: Verdict
    steps: list[AgentStep] = Field(default_factory=list)
    usage: list[Usage] = Field(default_factory=list)
    stop_reason: str = "completed"


def _rewrite_description(prompt: str, task_input: str | None) -> str:
    parts = [f"Rewrite this prompt so a model answers it better:\n<<<\n{prompt}\n>>>"]
    if task_input:
        parts.append(f"It will be applied to this input:\n<<<\n{task_input}\n>>>")
    parts.append(
        "Reply in this format:\nREWRITTEN PROMPT:\n<the improved prompt>\nTRICKS:\n- <trick name>: <why it helps>\n"
        f"Use only these trick names: {', '.join(TRICK_NAMES)}."
    )
    return "\n".join(parts)


def _compare_description(task: str, original: str, rewritten: str) -> str:
    return (
        "Two answers were written for the same task: answer A from the original prompt, answer B from a "
        f"rewritten prompt.\nTask:\n<<<\n{task}\n>>>\n"
        f"Answer A:\n<<<\n{original}\n>>>\nAnswer B:\n<<<\n{rewritten}\n>>>\n"
        "Grade both for correctness, completeness and clarity. Reply exactly:\n"
        "SCORE A: <0-10>\nSCORE B: <0-10>\nBETTER: A or B or TIE\nREASONS:\n- <short reasons>"
    )


def _verdict(text: str) -> Verdict:
    a, b, better = parse_pair_scores(text)
    if better is None and a is not None and b is not None:
        better = "A" if a > b else "B" if b > a else "TIE"
    if better is None:
        return Verdict(better="undecided", original_score=a, rewritten_score=b, reasons=text.strip(), method="unparsed")
    label = {"A": "original", "B": "rewritten", "TIE": "tie"}[better]
    return Verdict(better=label, original_score=a, rewritten_score=b, reasons=parse_reasons(text))  # type: ignore[arg-type]


def _with_input(prompt: str, task_input: str | None) -> str:
    return f"{prompt}\n\n{task_input}" if task_input else prompt


async def _answer(
    gateway: Gateway, prompt: str, model: str | None, options: GenerationOptions, sink: EventSink, source: str,
    timeout_s: float,
) -> tuple[str, Usage | None]:
    """The plain model's answer to `prompt`, streamed as token events, bounded by `timeout_s`."""

    async def consume() -> tuple[str, Usage | None]:
        parts: list[str] = []
        usage = None
        async for chunk in gateway.stream(prompt, model=model, options=options):
            if chunk.text:
                parts.append(chunk.text)
                sink.emit("token", {"source": source, "text": chunk.text})
            if chunk.done:
                usage = chunk.usage
        return "".join(parts).strip(), usage

    try:
        return await asyncio.wait_for(consume(), timeout_s)
    except GatewayError as exc:
        raise AgentRunError.from_gateway(exc) from exc


async def run_prompt_lab(
    prompt: str,
    task_input: str | None,
    gateway: Gateway,
    *,
    on_event: EventCallback | None = None,
    options: GenerationOptions | None = None,
    timeout_s: float | None = None,
) -> PromptLabResult:
    """Rewrite, answer both, compare; every phase shares one time budget.

    On timeout the result is still returned (stop_reason "timeout"): a missing rewrite
    falls back to the original prompt, missing answers are empty, the verdict "undecided".
    """
    engineer = with_options(get_persona("prompt-engineer"), options, timeout_s)
    evaluator = with_options(get_persona("evaluator"), options, timeout_s)
    budget = timeout_s or engineer.timeout_s
    deadline = time.monotonic() + budget
    sink = EventSink(asyncio.get_running_loop(), on_event)
    info = await resolve_model_info(gateway, engineer.model)
    reasons: list[str] = []

    pe_agent, pe_llm, pe_rec = persona_agent(engineer, gateway, sink, info)
    rewrite = Task(description=_rewrite_description(prompt, task_input), agent=pe_agent, context=[],
                   expected_output="REWRITTEN PROMPT: ... then TRICKS: one '- <trick>: <why>' line each.")
    _, reason = await kickoff_crew(sequential_crew([pe_agent], [rewrite]), [pe_llm], budget)
    reasons.append(reason)
    rewrite_text = rewrite.output.raw if rewrite.output is not None else ""
    if rewrite_text:
        pe_rec.message(rewrite_text, phase="rewrite")
    rewritten = parse_rewritten_prompt(rewrite_text) or rewrite_text.strip()
    tricks = [TrickApplied(**t) for t in parse_tricks(rewrite_text)]

    answer_options = ANSWER_OPTIONS.merged(options)
    answers: dict[str, str] = {"original": "", "rewritten": ""}
    usage: list[Usage] = [*pe_llm.usage]
    for source, text in (("original", prompt), ("rewritten", rewritten or prompt)):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            reasons.append("timeout")
            break
        try:
            answers[source], used = await _answer(
                gateway, _with_input(text, task_input), engineer.model, answer_options, sink, f"answer:{source}",
                remaining,
            )
        except TimeoutError:
            reasons.append("timeout")
            break
        if used is not None:
            usage.append(used)
        sink.emit("message", {"source": f"answer:{source}", "text": answers[source]})

    verdict = Verdict(better="undecided", method="skipped", reasons="no answers to compare")
    steps = [*pe_rec.steps]
    remaining = deadline - time.monotonic()
    if answers["original"] and answers["rewritten"] and remaining > 0:
        ev_agent, ev_llm, ev_rec = persona_agent(evaluator, gateway, sink, info)
        compare = Task(description=_compare_description(_with_input(prompt, task_input), answers["original"],
                                                        answers["rewritten"]),
                       expected_output="SCORE A, SCORE B, BETTER and REASONS lines.", agent=ev_agent, context=[])
        _, reason = await kickoff_crew(sequential_crew([ev_agent], [compare]), [ev_llm], remaining)
        reasons.append(reason)
        if compare.output is not None:
            ev_rec.message(compare.output.raw, phase="compare")
            verdict = _verdict(compare.output.raw)
        steps.extend(ev_rec.steps)
        usage.extend(ev_llm.usage)

    return PromptLabResult(
        original_prompt=prompt,
        rewritten_prompt=rewritten or prompt,
        rewrite_source="model" if rewritten else "original",
        tricks_applied=tricks,
        original_answer=answers["original"],
        rewritten_answer=answers["rewritten"],
        verdict=verdict,
        steps=steps,
        usage=usage,
        stop_reason=_worst(reasons),
    )


def _worst(reasons: list[str]) -> str:
    for reason in ("timeout", "max_iterations"):
        if reason in reasons:
            return reason
    return "completed"


__all__ = ["PromptLabResult", "TrickApplied", "Verdict", "run_prompt_lab"]
