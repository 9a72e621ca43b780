"""Judging one pair blind: a verifier where the item has a known answer, else the evaluator's constrained choice.

Blindness: the judge sees the prompt and two answers labelled A and B, never a contestant's
name, and which contestant is A is drawn from the run's seed for each pair, so the judge's
position bias (small models prefer the first answer) spreads evenly over the contestants.

- Known answer (GSM8K's number, Game of 24's verifier, a JSONL answer, the grounded quiz
  grader, the sandbox's tests): the verified check decides; equal checks are a tie.
- No known answer: the judging persona (the evaluator by default) on its framework writes a
  short comparison (`critique`), then chooses under the gateway's constrained decoding:
  the reply is JSON whose `winner` is one of "A", "B", "tie" (a llama.cpp grammar, or
  Ollama's `format`), so even a 270M base model's choice is read without parsing prose.
  A framework turn cannot be constrained, hence the two steps. By default the pair is
  judged again with the answers swapped, and only a choice that survives the swap wins:
  measured on Gemma 3 270M, the evaluator chose "A" in every judgement (with and without
  its critique), a pure position bias that the swap turns into ties.
- Otherwise a contestant without an answer (its call failed) loses to one with an answer, by rule.
"""

from __future__ import annotations

import random
from typing import Any

from agents.evals.suites import SuiteItem
from agents.llm.errors import GatewayError
from agents.llm.gateway import Gateway
from agents.llm.types import ChatMessage, GenerationOptions
from agents.personas import get_persona
from agents.reasoning import persona_ref, run_step
from workflows.evals.columns import FATAL

from .schema import Answer, Judgement, JudgeRef, Side

CHOICES = ("A", "B", "tie")
#: A choice as the blind side it names, when the pair is shown as stored and when it is swapped.
AS_SHOWN: dict[str, Side] = {"A": "a", "B": "b", "tie": "tie"}
SWAPPED: dict[str, Side] = {"A": "b", "B": "a", "tie": "tie"}
CHOICE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"winner": {"type": "string", "enum": list(CHOICES)}},
    "required": ["winner"],
}
#: Room for '{"winner": "tie"}' with the grammar's optional spaces, in any tokenizer.
CHOICE_TOKENS = 24
CRITIQUE_TOKENS = 160
#: Characters of each answer the judge reads: the 270M model's context is 4,096 tokens.
JUDGED_CHARS = 1500
VERIFIER_METHODS = {
    "gsm8k": "gsm8k_exact",
    "game24": "game24_verifier",
    "qa": "exact_match",
    "quiz": "quiz_grader",
    "code": "sandbox_tests",
}
#: Two worked choices, one each way: a base model follows a shown pattern far better than rules alone.
EXAMPLES = (
    'Prompt: What is 2 + 3?\nAnswer A: 2 + 3 = 6.\nAnswer B: 2 + 3 = 5.\n{"winner": "B"}\n'
    'Prompt: Name a primary colour.\nAnswer A: Red is a primary colour.\nAnswer B: Green grass.\n{"winner": "A"}'
)


def blind_order(seed: int, item_id: str, first: str, second: str) -> tuple[str, str]:
    """Which of two contestants is shown as A: a fair coin seeded by the run, the item and the pair."""
    coin = random.Random(f"{seed}|{item_id}|{first}|{second}").random()
    return (second, first) if coin < 0.5 else (first, second)


def judge_ref(spec: str, model: str) -> JudgeRef:
    ref = persona_ref(spec)  # ValueError names the valid personas and frameworks
    return JudgeRef(persona=ref.persona, framework=ref.framework, model=model)


def _cut(text: str) -> str:
    return text if len(text) <= JUDGED_CHARS else text[:JUDGED_CHARS] + " …"


def critique_task(prompt: str, text_a: str, text_b: str) -> str:
    """The persona's framework turn: compare, briefly. No contestant is named."""
    return (
        "Compare two answers to the same prompt. In two or three sentences, say what each answer gets right "
        "or wrong and which is better.\n\n"
        f"Prompt: {prompt}\n\nAnswer A:\n{_cut(text_a)}\n\nAnswer B:\n{_cut(text_b)}"
    )


def choice_messages(judge: JudgeRef, prompt: str, text_a: str, text_b: str, critique: str | None) -> list[ChatMessage]:
    """The constrained choice's prompt: the persona's role, two examples, the pair, its own notes. No names."""
    persona = get_persona(judge.persona)
    system = (
        f"You are the {persona.role}. {persona.backstory}\n"
        "Compare two answers to the same prompt and choose the better one: the answer that is correct, "
        'complete and does what the prompt asks. Reply with JSON: {"winner": "A"}, {"winner": "B"}, or '
        '{"winner": "tie"} when they are equally good or equally bad.\n' + EXAMPLES
    )
    body = f"Prompt: {prompt}\nAnswer A: {_cut(text_a)}\nAnswer B: {_cut(text_b)}"
    if critique:
        body += f"\nYour notes: {_cut(critique)}"
    return [ChatMessage(role="system", content=system), ChatMessage(role="user", content=body)]


def _shown(answer: Answer) -> str:
    return answer.text if answer.text.strip() else "(no answer)"


def verified(item: SuiteItem, a: Answer, b: Answer) -> tuple[Side, Judgement]:
    """The item's own check decides: the better score (quiz grade, code pass rate), else right over wrong."""
    method = VERIFIER_METHODS.get(item.kind, "exact_match")
    if a.score is not None and b.score is not None:
        left, right = a.score, b.score
        reason = f"scores {left:g} vs {right:g}"
    else:
        left, right = float(bool(a.correct)), float(bool(b.correct))
        reason = f"A {'right' if a.correct else 'wrong'}, B {'right' if b.correct else 'wrong'}"
    side: Side = "a" if left > right else "b" if right > left else "tie"
    return side, Judgement(by="verifier", method=method, reason=reason)


def by_rule(a: Answer, b: Answer) -> tuple[Side, Judgement] | None:
    """A contestant whose call failed loses to one that answered; both failing is a tie."""
    if a.error is None and b.error is None:
        return None
    side: Side = "tie" if a.error and b.error else "b" if a.error else "a"
    reason = "neither answered" if side == "tie" else f"{'A' if side == 'b' else 'B'} gave no answer"
    return side, Judgement(by="rule", method="no_answer", reason=reason)


async def one_order(
    judge: JudgeRef, prompt: str, first: Answer, second: Answer, gateway: Gateway, *, seed: int, critique: bool
) -> tuple[str | None, str | None, str | None]:
    """The persona's critique of (first as A, second as B) and its constrained choice: (choice, notes, error)."""
    notes, problem = None, None
    if critique:
        ref = persona_ref(f"{judge.persona}@{judge.framework}")
        options = GenerationOptions(temperature=0.0, max_tokens=CRITIQUE_TOKENS, seed=seed)
        task = critique_task(prompt, _shown(first), _shown(second))
        step = await run_step(ref, "evaluate", task, gateway, options=options)
        if step.failure is not None and isinstance(step.failure, FATAL):
            raise step.failure
        notes, problem = step.text.strip() or None, step.error
    options = GenerationOptions(temperature=0.0, max_tokens=CHOICE_TOKENS, seed=seed)
    messages = choice_messages(judge, prompt, _shown(first), _shown(second), notes)
    try:
        result = await gateway.chat(messages, options=options, json_schema=CHOICE_SCHEMA)
    except FATAL:
        raise
    except GatewayError as exc:
        return None, notes, f"{type(exc).__name__}: {exc}"[:300]
    choice = str(result.parsed["winner"])  # the gateway validated it against the enum
    return choice, notes, (f"critique failed: {problem}" if problem else None)


async def persona_choice(
    judge: JudgeRef, prompt: str, a: Answer, b: Answer, gateway: Gateway, *, seed: int, critique: bool,
    both_orders: bool = True,
) -> tuple[Side | None, Judgement]:
    """The judging persona's constrained choice (after its critique); None when a choice failed.

    With `both_orders` the pair is judged as shown and swapped, and a side wins only when
    both choices name the same answer (MT-Bench's conservative rule); otherwise it is a tie.
    A small model that always answers "A" then gives ties, not a win for whoever was shown first.
    """
    scoped = gateway.with_defaults(model=judge.model)
    common = {"by": "persona", "method": "constrained_choice", "persona": judge.persona,
              "framework": judge.framework if critique else None, "model": judge.model}
    shown, notes, problem = await one_order(judge, prompt, a, b, scoped, seed=seed, critique=critique)
    choices, problems = [shown], [problem]
    side: Side | None = None if shown is None else AS_SHOWN[shown]
    if both_orders and side is not None:
        swapped, _, problem = await one_order(judge, prompt, b, a, scoped, seed=seed, critique=critique)
        choices.append(swapped)
        problems.append(problem)
        back = None if swapped is None else SWAPPED[swapped]
        side = None if back is None else side if side == back else "tie"
    if side is None:
        reason = "the constrained choice failed"
    elif len(choices) == 2:
        kept = side != "tie" or "tie" in choices
        reason = f"chose {choices[0]} as shown, {choices[1]} swapped" + ("" if kept else ": inconsistent, so a tie")
    else:
        reason = f"chose {choices[0]}"
    error = "; ".join(p for p in problems if p) or None
    return side, Judgement(**common, critique=notes, choices=[c or "failed" for c in choices],  # type: ignore[arg-type]
                           reason=reason, error=error)


async def judge_pair(
    item: SuiteItem, a: Answer, b: Answer, judge: JudgeRef, gateway: Gateway, *, seed: int, critique: bool,
    checkable: bool, both_orders: bool = True,
) -> tuple[Side | None, Judgement]:
    """The pair's winner (blind side) and who decided it: the check, else the rule, else the persona."""
    if checkable and a.correct is not None and b.correct is not None:
        return verified(item, a, b)
    ruled = by_rule(a, b)
    if ruled is not None:
        return ruled
    return await persona_choice(judge, item.input, a, b, gateway, seed=seed, critique=critique,
                                both_orders=both_orders)


__all__ = [
    "CHOICE_SCHEMA",
    "blind_order",
    "by_rule",
    "choice_messages",
    "critique_task",
    "judge_pair",
    "judge_ref",
    "persona_choice",
    "verified",
]
