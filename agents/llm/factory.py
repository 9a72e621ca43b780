"""Choosing and building the backend from Settings (`THINKROOM_BACKEND`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..settings import Settings
from .backends.base import Backend
from .errors import InvalidRequest
from .gateway import Gateway

log = logging.getLogger("thinkroom.llm")


@dataclass(frozen=True)
class BackendChoice:
    name: str
    reason: str


async def choose_backend(settings: Settings) -> BackendChoice:
    """`auto` means Ollama if `/api/version` answers within the probe timeout, else embedded."""
    if settings.backend != "auto":
        return BackendChoice(settings.backend, f"THINKROOM_BACKEND={settings.backend}")
    from .backends.ollama_backend import ollama_version

    version = await ollama_version(settings.ollama_host, settings.ollama_probe_timeout_s)
    if version is not None:
        return BackendChoice("ollama", f"Ollama {version} answered at {settings.ollama_host}")
    return BackendChoice(
        "embedded",
        f"no Ollama answered at {settings.ollama_host} within {settings.ollama_probe_timeout_s:g}s",
    )


def build_backend(name: str, settings: Settings) -> Backend:
    """Construct a backend; heavy libraries are only imported when their model is first used."""
    if name == "ollama":
        from .backends.ollama_backend import OllamaBackend

        return OllamaBackend(
            settings.ollama_host,
            default_model=settings.model or settings.ollama_default_model,
            num_ctx=settings.num_ctx,
            timeout_s=settings.ollama_timeout_s,
            connect_timeout_s=settings.ollama_connect_timeout_s,
        )
    if name == "embedded":
        from .backends.embedded import EmbeddedBackend

        return EmbeddedBackend(
            settings.embedded_model,
            settings.embedded_cache_dir,
            n_ctx=settings.embedded_n_ctx,
            n_threads=settings.embedded_threads,
        )
    if name == "scripted":
        from .backends.scripted import ScriptedBackend

        if settings.scripted_rules is None:
            raise InvalidRequest("THINKROOM_BACKEND=scripted needs THINKROOM_SCRIPTED_RULES=/path/rules.json")
        return ScriptedBackend.from_file(settings.scripted_rules)
    raise InvalidRequest(f"unknown backend {name!r}")


async def create_gateway(settings: Settings) -> Gateway:
    """Pick the backend, log which and why, and wrap it in a Gateway."""
    choice = await choose_backend(settings)
    backend = build_backend(choice.name, settings)
    log.info("model backend: %s (%s)", choice.name, choice.reason)
    default_model = settings.model or None
    return Gateway(
        backend,
        default_model=default_model,
        selection_reason=choice.reason,
        max_tokens_cap=settings.max_tokens_cap,
    )
