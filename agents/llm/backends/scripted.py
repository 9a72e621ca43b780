"""A deterministic backend for tests only: regex rules map prompts to canned responses.

It is never chosen by `auto`. Rules come from THINKROOM_SCRIPTED_RULES (a JSON file) or
code. Each rule is {"pattern": regex, "response": str} or {"pattern", "responses": [..]}
(used in turn, the last one repeating), optionally {"next_token": {token: prob}} for the
decoding demos and {"delay_s": float} to simulate a slow model. The first match wins.
A rules file may be {"rules": [...], "capabilities": ["completion", "tools"]} to serve a tool-calling model.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ContextLengthExceeded, InvalidRequest, NoScriptedRule
from ..types import (
    ChatMessage,
    ChatResult,
    FinishReason,
    GenerationOptions,
    ModelInfo,
    PullProgress,
    StreamChunk,
    TokenLogprob,
    Usage,
)

SCRIPTED_MODEL = "scripted"


@dataclass
class ScriptedRule:
    """One prompt pattern and what to answer."""

    pattern: re.Pattern[str]
    responses: list[str]
    next_token: dict[str, float] = field(default_factory=dict)
    delay_s: float = 0.0
    calls: int = 0

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ScriptedRule:
        if "pattern" not in raw:
            raise InvalidRequest(f"scripted rule needs a 'pattern': {raw!r}")
        responses = raw.get("responses")
        if responses is None:
            responses = [raw.get("response", "")]
        if not isinstance(responses, list) or not responses:
            raise InvalidRequest(f"scripted rule 'responses' must be a non-empty list: {raw!r}")
        return cls(
            pattern=re.compile(raw["pattern"], re.DOTALL | re.IGNORECASE),
            responses=[str(r) for r in responses],
            next_token={str(k): float(v) for k, v in raw.get("next_token", {}).items()},
            delay_s=float(raw.get("delay_s", 0.0)),
        )

    def take(self) -> str:
        response = self.responses[min(self.calls, len(self.responses) - 1)]
        self.calls += 1
        return response


def count_whitespace_tokens(text: str) -> int:
    """The scripted backend's tokenizer: whitespace-separated words."""
    return len(text.split())


def prompt_text(messages: list[ChatMessage]) -> str:
    """The text rules match against: the system and user turns, newline-joined."""
    return "\n".join(m.content for m in messages if m.role in ("system", "user"))


def load_rules(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    rules = data.get("rules", data) if isinstance(data, dict) else data
    if not isinstance(rules, list):
        raise InvalidRequest(f"{path}: expected a list of rules or {{'rules': [...]}}")
    return rules


def split_for_stream(text: str) -> list[str]:
    """Split into word-plus-following-space pieces that join back to the exact text."""
    return re.findall(r"\S+\s*|\s+", text) or [""]


class ScriptedBackend:
    """Deterministic rule-driven model; the usage counts are whitespace tokens."""

    name = "scripted"

    def __init__(
        self,
        rules: list[dict[str, Any]] | None = None,
        *,
        capabilities: list[str] | None = None,
        context_length: int | None = None,
    ) -> None:
        self._rules = [ScriptedRule.from_dict(r) for r in (rules or [])]
        self._lock = threading.Lock()
        self.capabilities = capabilities or ["completion"]
        self.context_length = context_length
        self.prompts: list[str] = []

    @classmethod
    def from_file(cls, path: Path) -> ScriptedBackend:
        data = json.loads(path.read_text(encoding="utf-8"))
        capabilities = data.get("capabilities") if isinstance(data, dict) else None
        return cls(load_rules(path), capabilities=capabilities)

    @property
    def default_model(self) -> str:
        return SCRIPTED_MODEL

    def _match(self, text: str) -> ScriptedRule:
        with self._lock:
            self.prompts.append(text)
            for rule in self._rules:
                if rule.pattern.search(text):
                    return rule
        preview = text if len(text) <= 300 else text[:300] + "..."
        raise NoScriptedRule(f"no scripted rule matches prompt: {preview!r}", backend=self.name)

    def _within_window(self, messages: list[ChatMessage], options: GenerationOptions) -> GenerationOptions:
        """Like a real model with `context_length`: an oversized prompt fails, a reply gets what is left."""
        if self.context_length is None:
            return options
        prompt = sum(count_whitespace_tokens(m.content) for m in messages)
        room = self.context_length - prompt
        if room < 1:
            raise ContextLengthExceeded.of(prompt, self.context_length, backend=self.name)
        if options.max_tokens is None or options.max_tokens > room:
            return options.model_copy(update={"max_tokens": room})
        return options

    def _respond(self, messages: list[ChatMessage]) -> tuple[ScriptedRule, str]:
        rule = self._match(prompt_text(messages))
        with self._lock:
            return rule, rule.take()

    async def chat(
        self,
        messages: list[ChatMessage],
        model: str,
        options: GenerationOptions,
        json_schema: dict[str, Any] | None = None,
    ) -> ChatResult:
        options = self._within_window(messages, options)
        rule, text = self._respond(messages)
        if rule.delay_s:
            await asyncio.sleep(rule.delay_s)
        text, finish = apply_limits(text, options)
        return ChatResult(text=text, usage=self._usage(messages, text, model), finish_reason=finish)

    async def stream(
        self, messages: list[ChatMessage], model: str, options: GenerationOptions
    ) -> AsyncIterator[StreamChunk]:
        options = self._within_window(messages, options)
        rule, text = self._respond(messages)
        text, finish = apply_limits(text, options)
        for piece in split_for_stream(text):
            if rule.delay_s:
                await asyncio.sleep(rule.delay_s)
            yield StreamChunk(text=piece)
        yield StreamChunk(done=True, usage=self._usage(messages, text, model), finish_reason=finish)

    def _usage(self, messages: list[ChatMessage], text: str, model: str) -> Usage:
        return Usage(
            backend=self.name,
            model=model,
            prompt_tokens=sum(count_whitespace_tokens(m.content) for m in messages),
            completion_tokens=count_whitespace_tokens(text),
        )

    async def next_token(self, prompt: str, model: str, top_k: int) -> list[TokenLogprob]:
        rule = self._match(prompt)
        if not rule.next_token:
            raise InvalidRequest("the matching scripted rule has no 'next_token' distribution")
        ranked = sorted(rule.next_token.items(), key=lambda kv: -kv[1])[:top_k]
        return [TokenLogprob(token=t, logprob=math.log(p), prob=p) for t, p in ranked if p > 0]

    async def count_tokens(self, text: str, model: str) -> int:
        return count_whitespace_tokens(text)

    def count_tokens_sync(self, text: str) -> int:
        return count_whitespace_tokens(text)

    async def list_models(self) -> list[ModelInfo]:
        return [await self.model_info(SCRIPTED_MODEL)]

    async def model_info(self, model: str) -> ModelInfo:
        return ModelInfo(
            name=model, backend=self.name, capabilities=list(self.capabilities), context_length=self.context_length
        )

    async def pull(self, model: str) -> AsyncIterator[PullProgress]:
        raise InvalidRequest("the scripted backend has no models to pull", backend=self.name)
        yield  # pragma: no cover - makes this an async generator

    async def close(self) -> None:
        return None


def apply_limits(text: str, options: GenerationOptions) -> tuple[str, FinishReason]:
    """Honour stop sequences and max_tokens the way a real model would."""
    finish: FinishReason = "stop"
    for stop in options.stop or []:
        if stop and stop in text:
            text = text[: text.index(stop)]
    if options.max_tokens is not None:
        pieces = split_for_stream(text)
        words = [p for p in pieces if p.strip()]
        if len(words) > options.max_tokens:
            kept, seen = [], 0
            for piece in pieces:
                if piece.strip():
                    if seen == options.max_tokens:
                        break
                    seen += 1
                kept.append(piece)
            text, finish = "".join(kept).rstrip(), "length"
    return text, finish
