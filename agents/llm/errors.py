"""The gateway's own errors, so agents, workflows and the API handle every backend alike."""

from __future__ import annotations

from functools import partial
from typing import Any


class GatewayError(Exception):
    """Base class; `code` is a stable machine-readable name for API error bodies."""

    code = "gateway_error"

    def __init__(self, message: str, *, backend: str = "", model: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.backend = backend
        self.model = model


class BackendUnavailable(GatewayError):
    """The backend cannot be reached (Ollama down, llama.cpp not installed...)."""

    code = "backend_unavailable"


class ModelNotFound(GatewayError):
    """The backend runs but lacks the model; the message says how to get it."""

    code = "model_not_found"


class BackendTimeout(GatewayError):
    """The model did not answer within the configured timeout."""

    code = "backend_timeout"


class BackendError(GatewayError):
    """The backend failed while answering, e.g. an error in the middle of a stream."""

    code = "backend_error"


class InvalidRequest(GatewayError):
    """The caller asked for something the backend cannot do (bad schema, no logprobs...)."""

    code = "invalid_request"


class ContextLengthExceeded(InvalidRequest):
    """The prompt alone does not fit the model's context window; the numbers say by how much.

    Raised before the backend runs, so llama.cpp never fails with "Requested tokens exceed
    context window" and Ollama never silently truncates the start of the prompt.
    """

    code = "context_length_exceeded"

    def __init__(
        self,
        message: str,
        *,
        prompt_tokens: int = 0,
        context_length: int = 0,
        backend: str = "",
        model: str = "",
    ) -> None:
        super().__init__(message, backend=backend, model=model)
        self.prompt_tokens = prompt_tokens
        self.context_length = context_length

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        """Pickles with its numbers (checkpoints and worker processes copy errors)."""
        return partial(
            type(self),
            self.message,
            prompt_tokens=self.prompt_tokens,
            context_length=self.context_length,
            backend=self.backend,
            model=self.model,
        ), ()

    @classmethod
    def of(
        cls, prompt_tokens: int, context_length: int, *, what: str = "the prompt", backend: str = "", model: str = ""
    ) -> ContextLengthExceeded:
        """The error with a message that gives both numbers and what to do."""
        return cls(
            f"{what} needs {prompt_tokens} tokens but the model's context window holds {context_length}; "
            "shorten the input or start a new conversation",
            prompt_tokens=prompt_tokens,
            context_length=context_length,
            backend=backend,
            model=model,
        )


class NoScriptedRule(GatewayError):
    """The scripted test backend has no rule for a prompt; the message names the prompt."""

    code = "no_scripted_rule"
