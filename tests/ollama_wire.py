"""Ollama's documented wire shapes, shared by every test that plays an Ollama server."""

from __future__ import annotations

import json
from typing import Any

MODEL = "llama3.2:3b"


def chat_final(content: str = "", *, eval_count: int = 3, model: str = MODEL) -> dict[str, Any]:
    """The last `/api/chat` object (the whole reply when not streaming), with token counts."""
    return {
        "model": model,
        "created_at": "2026-11-27T10:00:00.000Z",
        "message": {"role": "assistant", "content": content},
        "done": True,
        "done_reason": "stop",
        "total_duration": 5_000_000,
        "load_duration": 1_000_000,
        "prompt_eval_count": 26,
        "prompt_eval_duration": 1_000_000,
        "eval_count": eval_count,
        "eval_duration": 2_000_000,
    }


def chat_delta(text: str, *, model: str = MODEL) -> dict[str, Any]:
    """One streamed `/api/chat` piece."""
    return {
        "model": model,
        "created_at": "2026-11-27T10:00:00Z",
        "message": {"role": "assistant", "content": text},
        "done": False,
    }


def ndjson(*parts: dict[str, Any]) -> str:
    return "".join(json.dumps(p) + "\n" for p in parts)
