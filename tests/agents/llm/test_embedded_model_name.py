"""The embedded backend serves one model, known before it loads: any other name is refused up
front (it used to answer the first call with its own model, whatever name was asked for)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.llm.backends.embedded import EmbeddedBackend
from agents.llm.errors import ModelNotFound
from agents.llm.types import ChatMessage, GenerationOptions


async def test_unknown_name_is_refused_before_loading(tmp_path: Path) -> None:
    backend = EmbeddedBackend(None, tmp_path)
    with pytest.raises(ModelNotFound, match="not 'nosuch'"):
        await backend.model_info("nosuch")
    with pytest.raises(ModelNotFound):
        await backend.chat([ChatMessage(role="user", content="hi")], "nosuch", GenerationOptions())
    with pytest.raises(ModelNotFound):
        async for _ in backend.stream([ChatMessage(role="user", content="hi")], "nosuch", GenerationOptions()):
            pass
    assert backend._llm is None  # refused without loading the model
    assert (await backend.model_info(backend.default_model)).name == backend.default_model
