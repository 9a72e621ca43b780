"""Strategy steps done by personas, metered like the model calls they replace.

A strategy names who does each step by a "persona@framework" label from its config (None
= the bare model, as the papers do it). `persona_step` runs one step through
`agents.reasoning.run_step` (the persona contract, on the one gateway) and reads what it
cost from the gateway's ledger, like any other call a strategy makes (`base.metered`).
"""

from __future__ import annotations

from typing import Any

from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions
from agents.reasoning import StepKind, StepReply, persona_ref, run_step

from .base import Emit, UsageTotals, metered


def author(label: str | None) -> dict[str, str | None]:
    """{"persona", "framework"} of a label; both None for the bare model."""
    if label is None:
        return {"persona": None, "framework": None}
    ref = persona_ref(label)
    return {"persona": ref.persona, "framework": ref.framework}


async def persona_step(
    label: str,
    kind: StepKind,
    prompt: str,
    gateway: Gateway,
    options: GenerationOptions | None = None,
    *,
    graded: bool = False,
    emit: Emit | None = None,
) -> tuple[StepReply, UsageTotals]:
    """One persona step and its usage as the ledger recorded it (a failed turn is a reply with `error`)."""
    forward = _forward(emit) if emit is not None else None
    with metered() as meter:
        reply = await run_step(label, kind, prompt, gateway, options=options, graded=graded, on_event=forward)
    return reply, meter.totals


def _forward(emit: Emit) -> Any:
    """Only a step's streamed tokens reach the run's events (with their author): the strategy reports the rest."""

    def send(kind: str, data: dict[str, Any]) -> None:
        if kind == "token":
            emit(kind, data)

    return send


__all__ = ["author", "persona_step"]
