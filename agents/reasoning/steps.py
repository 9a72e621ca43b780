"""One strategy step done by a persona, through the persona contract (`agents.runner.run_turn`).

A step is one reply to one prompt, so the persona runs as a plain answer turn: no concept
tools (on a model without native tool calling CrewAI would wrap them in ReAct scaffolding
that a small model echoes; the concept lab's checks come from the evaluator's grounded
grading instead), no sandbox rounds (a code search runs the candidates against its tests
itself) and the strategy's sampling options (temperature, seed, max_tokens) over the
persona's own. A `graded` step is the persona's grade turn: "SCORE: n / REASONS", grounded
in the concept lab when the course can check the answer.

A failed turn (backend fault, timeout) is a reply with `error` set, so a search can go on
without it; `failure` keeps the exception for a strategy that must raise when nothing succeeded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr

from agents.errors import AgentRunError
from agents.llm.errors import GatewayError
from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions
from agents.llm.usage import collect_usage
from agents.personas import Framework, Persona, get_persona

from .refs import PersonaRef, persona_ref

StepKind = Literal["propose", "evaluate", "vote", "answer"]
EventCallback = Callable[[str, dict[str, Any]], Any]

#: A reply sentence of at least this many words, ECHO_SHARE of them in one run found in the prompt, is an echo.
ECHO_MIN_WORDS = 4
ECHO_SHARE = 0.75
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_WORD = re.compile(r"[a-z0-9_]+")


class StepReply(BaseModel):
    """What one persona step produced, who produced it and what it cost."""

    kind: StepKind
    persona: str
    framework: Framework
    text: str = ""
    stop_reason: str = "completed"
    grounding: dict[str, Any] | None = Field(default=None, description="a grounded grade's parts (graded steps)")
    error: str | None = None
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    _failure: BaseException | None = PrivateAttr(default=None)

    @property
    def label(self) -> str:
        return f"{self.persona}@{self.framework}"

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def failure(self) -> BaseException | None:
        return self._failure

    def author(self) -> dict[str, str]:
        """The persona and framework, as trace records and events carry them."""
        return {"persona": self.persona, "framework": self.framework}


def step_persona(ref: PersonaRef, *, graded: bool = False, options: GenerationOptions | None = None) -> Persona:
    """The persona as a step runs it (module docstring): one answer or grade turn, no tools, no sandbox rounds."""
    base = get_persona(ref.persona)
    return base.model_copy(
        update={
            "framework": ref.framework,
            "options": base.options.merged(options),
            "tools": [],
            "grounded": False,
            "uses_sandbox": False,
            "turn": "grade" if graded else "answer",
        }
    )


async def run_step(
    who: PersonaRef | str,
    kind: StepKind,
    task: str,
    gateway: Gateway,
    *,
    options: GenerationOptions | None = None,
    graded: bool = False,
    on_event: EventCallback | None = None,
) -> StepReply:
    """Ask `who` to do one `kind` step on `task`; never raises for a failed turn (see `error`)."""
    from agents.runner import run_turn  # CrewAI / AutoGen are imported on first use

    ref = persona_ref(who)
    persona = step_persona(ref, graded=graded, options=options)
    forward = _labelled(on_event, ref, kind)
    with collect_usage() as records:
        try:
            reply = await run_turn(persona, task, gateway, on_event=forward)
        except (AgentRunError, GatewayError) as exc:
            failed = StepReply(kind=kind, persona=ref.persona, framework=ref.framework, error=_describe(exc))
            failed._failure = exc
            result = failed
        else:
            result = StepReply(
                kind=kind,
                persona=ref.persona,
                framework=ref.framework,
                text=reply.text,
                stop_reason=reply.stop_reason,
                grounding=reply.grounding,
            )
    result.calls = len(records)
    result.prompt_tokens = sum(r.prompt_tokens for r in records)
    result.completion_tokens = sum(r.completion_tokens for r in records)
    return result


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _labelled(on_event: EventCallback | None, ref: PersonaRef, kind: StepKind) -> EventCallback | None:
    """The framework's events (tokens, messages) with the step's author attached."""
    if on_event is None:
        return None

    def forward(event: str, data: dict[str, Any]) -> Any:
        return on_event(event, {**data, "persona": ref.persona, "framework": ref.framework, "step": kind})

    return forward


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def echoed_sentences(text: str, sources: Iterable[str]) -> list[str]:
    """The reply's sentences (of ECHO_MIN_WORDS words or more) that repeat `sources`: at least
    ECHO_SHARE of their words in one run found word for word in a source.

    A small base model often repeats its instructions ("If the output shows it works, say DONE."
    for "...; when the output shows it works, say DONE.") instead of answering; such a sentence
    is scaffolding, not an answer.
    """
    haystack = " " + " | ".join(" ".join(_words(s)) for s in sources) + " "
    found = []
    for match in _SENTENCE.finditer(text):
        words = _words(match.group(0))
        if len(words) >= ECHO_MIN_WORDS and _longest_run(words, haystack) >= ECHO_SHARE * len(words):
            found.append(match.group(0).strip())
    return found


def _longest_run(words: list[str], haystack: str) -> int:
    """The most consecutive words of `words` that appear together in `haystack`."""
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            if f" {' '.join(words[start : start + size])} " in haystack:
                return size
    return 0


def without_echo(text: str, sources: Iterable[str]) -> str:
    """`text` with its echoed sentences removed (blank lines collapsed)."""
    sources = list(sources)
    kept = text
    for sentence in echoed_sentences(text, sources):
        kept = kept.replace(sentence, "", 1)
    lines = [ln.rstrip() for ln in kept.splitlines()]
    return "\n".join(ln for ln in lines if ln.strip()).strip()


def echoes_prompt(text: str, sources: Iterable[str]) -> bool:
    """True when nothing is left of the reply once its echoed sentences are removed."""
    return not without_echo(text, sources).strip() and bool(text.strip())


def persona_sources(ref: PersonaRef | str, task: str) -> list[str]:
    """What a step's reply may echo: its task and the persona's own instructions."""
    persona = get_persona(persona_ref(ref).persona)
    return [task, persona.system_prompt()]


__all__ = [
    "ECHO_MIN_WORDS",
    "ECHO_SHARE",
    "StepKind",
    "StepReply",
    "echoed_sentences",
    "echoes_prompt",
    "persona_sources",
    "run_step",
    "step_persona",
    "without_echo",
]
