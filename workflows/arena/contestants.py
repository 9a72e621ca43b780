"""Contestants: who they are (a model, or a persona on a model) and how each answers one prompt.

Every contestant gets the same prompt text for an item (the one the eval's agent columns
get: GSM8K asks for 'Answer: <number>', code for one fenced function), so a model and a
persona are compared on equal terms. A model answers greedily with the run's seed; a
persona answers through its framework (`agents.runner.run_agent`). Where the item has a
known answer the suite's own check scores the reply (`workflows.evals.scoring`): that
check, not a judge, decides the pairs on such items.
"""

from __future__ import annotations

import time
from typing import Any

from agents.errors import AgentRunError
from agents.evals.suites import SuiteItem
from agents.grading import gateway_judge
from agents.llm.errors import GatewayError
from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions
from agents.llm.usage import collect_usage
from agents.personas import PERSONAS
from agents.reasoning.refs import FRAMEWORKS
from agents.sandbox import SandboxError
from tools.evals.code import completion_from_reply
from workflows.evals.columns import FATAL, agent_answer, agent_code, agent_prompt
from workflows.evals.scoring import score_code, score_text

from .schema import Answer, ArenaSpec, Contestant

#: Characters of a reply kept (shown to the judge and to people, stored in the result).
TEXT_CHARS = 4000


def parse_contestant(label: str, default_model: str) -> Contestant:
    """'model', 'agent', 'agent@model' or 'agent@framework@model' as a Contestant; ValueError says why not.

    The first part is a persona when it names one; a framework part picks the persona's
    framework; what is left is the model (the backend's default when none is given).
    """
    parts = [p.strip() for p in label.strip().split("@")]
    if any(not p for p in parts):
        raise ValueError(f"contestant {label!r} has an empty part; write 'model' or 'agent@model'")
    if parts[0] not in PERSONAS:
        if len(parts) > 1:
            raise ValueError(f"contestant {label!r}: {parts[0]!r} is not an agent; choose one of {', '.join(PERSONAS)}")
        return Contestant(id=parts[0], kind="model", model=parts[0])
    agent, rest = parts[0], parts[1:]
    framework = rest.pop(0).lower() if rest and rest[0].lower() in FRAMEWORKS else None
    if len(rest) > 1:
        raise ValueError(f"contestant {label!r}: write 'agent@model' or 'agent@framework@model'")
    model = rest[0] if rest else default_model
    cid = "@".join([agent, *([framework] if framework else []), model])
    return Contestant(id=cid, kind="agent", model=model, agent=agent, framework=framework)


def parse_contestants(labels: list[str], default_model: str) -> list[Contestant]:
    contestants = [parse_contestant(label, default_model) for label in labels]
    ids = [c.id for c in contestants]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"contestant {repeated[0]!r} appears twice (a bare agent runs on the default model)")
    return contestants


def verifiable(item: SuiteItem) -> bool:
    """Whether the item's own check can score an answer (an inline prompt has no known answer)."""
    return item.kind != "qa" or item.expected is not None


async def _reply(contestant: Contestant, item: SuiteItem, spec: ArenaSpec, gateway: Gateway) -> tuple[str, str | None]:
    """(the reply's text, the answer in it) for this contestant."""
    prompt = agent_prompt(item)
    scoped = gateway.with_defaults(model=contestant.model)
    if contestant.kind == "model":
        options = GenerationOptions(temperature=0.0, max_tokens=spec.max_tokens, seed=spec.seed)
        text = (await scoped.chat(prompt, options=options)).text
        if item.kind == "code":
            return text, completion_from_reply(text, item.input, item.data.get("entry_point"))
        return text, agent_answer(item, text) if verifiable(item) else text
    from agents.runner import run_agent  # CrewAI / AutoGen are imported only when a persona answers

    assert contestant.agent is not None
    reply = await run_agent(contestant.agent, prompt, scoped, framework=contestant.framework)  # type: ignore[arg-type]
    if item.kind == "code":
        return reply.text, agent_code(item, reply)
    return reply.text, agent_answer(item, reply.text) if verifiable(item) else reply.text


async def answer(
    contestant: Contestant, item: SuiteItem, spec: ArenaSpec, gateway: Gateway, judge_model: str
) -> Answer:
    """The contestant's answer, checked where the item can be; a fault here is its error (FATAL stops the run)."""
    started = time.perf_counter()
    text, extracted, error = "", None, None
    with collect_usage() as records:
        try:
            text, extracted = await _reply(contestant, item, spec, gateway)
        except FATAL:
            raise
        except (GatewayError, AgentRunError, SandboxError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
    usage = {
        "prompt_tokens": sum(u.prompt_tokens for u in records),
        "completion_tokens": sum(u.completion_tokens for u in records),
        "calls": len(records),
    }
    correct, score, detail = await check(item, extracted if error is None else None, spec, gateway, judge_model)
    return Answer(
        text=text[:TEXT_CHARS], answer=extracted, correct=correct, score=score, error=error,
        seconds=round(time.perf_counter() - started, 4), detail=detail, **usage,
    )


async def check(
    item: SuiteItem, extracted: str | None, spec: ArenaSpec, gateway: Gateway, judge_model: str
) -> tuple[bool | None, float | None, dict[str, Any]]:
    """(correct, score, detail) by the item's own rule; (None, None, {}) for an item nothing can check.

    Quiz answers are graded by the grounded grader (its model judge, on the judge's model,
    only scores what the concept lab's checks leave open); code runs in the sandbox.
    """
    if not verifiable(item):
        return None, None, {}
    if item.kind == "code":
        if extracted is None:
            return False, 0.0, {}
        verdict = await score_code(item, [extracted], workers=1, timeout_s=spec.timeout_s)
        return verdict.correct, float(verdict.c or 0) / float(verdict.n or 1), verdict.detail
    grader = gateway_judge(gateway, model=judge_model) if item.kind == "quiz" else None
    try:
        verdict = await score_text(item, extracted, judge=grader)
    except FATAL:
        raise
    except GatewayError as exc:  # the quiz grader's judge failed: this answer stays unscored
        return None, None, {"grading_error": f"{type(exc).__name__}: {exc}"[:300]}
    score = verdict.detail.get("score") if item.kind == "quiz" else None
    return verdict.correct, float(score) if isinstance(score, int | float) else None, verdict.detail


__all__ = ["TEXT_CHARS", "answer", "check", "parse_contestant", "parse_contestants", "verifiable"]
