"""The gateway's own errors, so agents, workflows and the API handle every backend alike."""

from __future__ import annotations


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


class NoScriptedRule(GatewayError):
    """The scripted test backend has no rule for a prompt; the message names the prompt."""

    code = "no_scripted_rule"
