"""What the tutor remembers about a learner, in the LangGraph store: concepts seen and quiz scores.

Who the learner is comes from the run's `config.configurable.user_id` (a non-empty string
without '.'); with no user id, or no store (the CLI), nothing is remembered. Each learner
has the namespace ("learners", <user id>, "progress") with one item per concept (key = the
concept's name):

    {"concept", "title", "lessons", "first_seen", "last_seen", "quizzes", "last_score", "best_score"}

where `lessons` counts lessons started, `quizzes` keeps the last QUIZ_HISTORY grades as
{"score", "max", "at"}, and the scores are fractions of the quiz's maximum (0..1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from langgraph.store.base import BaseStore

QUIZ_HISTORY = 20
MAX_USER_ID = 256
MAX_CONCEPTS = 1000


def learner_id(config: Mapping[str, Any]) -> str | None:
    """`config.configurable.user_id`; ValueError naming it when it cannot name a store namespace."""
    value = (config.get("configurable") or {}).get("user_id")
    if value is None:
        return None
    if not isinstance(value, str) or not value or "." in value or len(value) > MAX_USER_ID:
        raise ValueError(
            f"config.configurable.user_id must be a non-empty string of at most {MAX_USER_ID} characters "
            f"without '.', got {value!r}"
        )
    return value


def progress_namespace(user_id: str) -> tuple[str, str, str]:
    return ("learners", user_id, "progress")


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class Progress:
    """One learner's memory, bound to a store."""

    store: BaseStore
    user_id: str

    @property
    def namespace(self) -> tuple[str, str, str]:
        return progress_namespace(self.user_id)

    async def concept(self, name: str) -> dict[str, Any] | None:
        item = await self.store.aget(self.namespace, name)
        return dict(item.value) if item is not None else None

    async def concepts_seen(self) -> list[str]:
        """Every concept this learner has had a lesson on, most recent first."""
        items = await self.store.asearch(self.namespace, limit=MAX_CONCEPTS)
        items.sort(key=lambda item: str(item.value.get("last_seen", "")), reverse=True)  # the store's times are coarse
        return [item.key for item in items]

    async def record_lesson(self, name: str, title: str) -> dict[str, Any]:
        """A lesson on `name` started: count it and note when."""
        now = _now()
        seen = await self.concept(name) or {"concept": name, "lessons": 0, "first_seen": now, "quizzes": []}
        value = {**seen, "title": title, "lessons": int(seen.get("lessons", 0)) + 1, "last_seen": now}
        await self.store.aput(self.namespace, name, value)
        return value

    async def record_quiz(self, name: str, title: str, total: float, max_total: float) -> dict[str, Any]:
        """A quiz on `name` was graded: keep the score (as a fraction) and the best one so far."""
        now = _now()
        seen = await self.concept(name) or {"concept": name, "title": title, "lessons": 1, "first_seen": now}
        score = round(total / max_total, 4) if max_total else 0.0
        quizzes = [*seen.get("quizzes", []), {"score": score, "max": max_total, "at": now}][-QUIZ_HISTORY:]
        best = max(score, float(seen.get("best_score") or 0.0))
        value = {**seen, "quizzes": quizzes, "last_score": score, "best_score": best, "last_seen": now}
        await self.store.aput(self.namespace, name, value)
        return value


def progress_note(title: str, before: dict[str, Any] | None, others: list[str]) -> str:
    """One line for the learner, from what the tutor remembers (empty for a first lesson ever)."""
    if before is not None:
        lessons = int(before.get("lessons", 0))
        line = f"Welcome back: you have studied {title} before ({lessons} lesson{'s' if lessons != 1 else ''})"
        if before.get("last_score") is not None:
            line += f"; your last quiz score was {float(before['last_score']):.0%}"
            line += f", your best {float(before.get('best_score') or 0.0):.0%}"
        return line + "."
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        return f"New for you: {title}. You have already studied {shown}."
    return ""
