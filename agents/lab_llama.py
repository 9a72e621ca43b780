"""Separate llama.cpp instances for the concept lab's embedding and KV-cache demos.

Embeddings need a context created with `embedding=True`, and the KV-cache demo resets and refills the
cache at will; neither may disturb the gateway's generation model. So each gets its own small
`Llama` over the same GGUF (weights are mmap'ed and shared), created on first use, kept off the chat
request path, and run on a worker thread under its own lock.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from agents.llm.backends.embedded import EmbeddedBackend
from agents.llm.errors import BackendUnavailable, InvalidRequest
from agents.llm.gateway import Gateway

if TYPE_CHECKING:
    from llama_cpp import Llama

T = TypeVar("T")
Purpose = Literal["embedding", "generation"]
#: Context of a lab instance: the demos use short texts, and a small context keeps its KV cache small.
LAB_N_CTX = 512

_instances: dict[tuple[str, Purpose], Llama] = {}
_lock = threading.Lock()


def embedded_gguf(gateway: Gateway, concept: str) -> Path:
    """The GGUF the embedded backend serves; a 400-class error naming the backend when it is not llama.cpp."""
    backend = gateway.backend
    if not isinstance(backend, EmbeddedBackend):
        raise InvalidRequest(
            f"{concept} runs llama.cpp directly and needs the embedded backend; the active backend is "
            f"{gateway.backend_name!r} (start with THINKROOM_BACKEND=embedded)",
            backend=gateway.backend_name,
        )
    return Path(backend.load_sync().model_path)


def _instance(path: Path, purpose: Purpose) -> Llama:
    key = (str(path), purpose)
    if key not in _instances:
        try:
            from llama_cpp import Llama
        except ImportError as exc:  # pragma: no cover - the embedded backend already imported it
            raise BackendUnavailable("llama-cpp-python is not installed", backend="embedded") from exc
        _instances[key] = Llama(
            model_path=str(path), n_ctx=LAB_N_CTX, embedding=purpose == "embedding", logits_all=False, verbose=False
        )
    return _instances[key]


@atexit.register
def _close_all() -> None:
    """Free the lab contexts before interpreter teardown (llama.cpp's own __del__ fails that late)."""
    with _lock:
        for llm in _instances.values():
            llm.close()
        _instances.clear()


async def with_lab_llama(path: Path, purpose: Purpose, work: Callable[[Llama], T]) -> T:
    """Run `work` on the lab instance for `purpose`, on a worker thread, one call at a time."""

    def locked() -> T:
        with _lock:
            return work(_instance(path, purpose))

    return await asyncio.to_thread(locked)
