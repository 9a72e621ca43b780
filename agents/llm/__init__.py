"""The model gateway: one async interface to Ollama, the embedded llama.cpp model, or scripted."""

from .errors import (
    BackendError,
    BackendTimeout,
    BackendUnavailable,
    GatewayError,
    InvalidRequest,
    ModelNotFound,
    NoScriptedRule,
)
from .gateway import Gateway, as_messages
from .types import (
    ChatMessage,
    ChatResult,
    GenerationOptions,
    ModelInfo,
    PullProgress,
    StreamChunk,
    TokenLogprob,
    Usage,
)
from .usage import UsageLedger

__all__ = [
    "BackendError",
    "BackendTimeout",
    "BackendUnavailable",
    "ChatMessage",
    "ChatResult",
    "Gateway",
    "GatewayError",
    "GenerationOptions",
    "InvalidRequest",
    "ModelInfo",
    "ModelNotFound",
    "NoScriptedRule",
    "PullProgress",
    "StreamChunk",
    "TokenLogprob",
    "Usage",
    "UsageLedger",
    "as_messages",
]
