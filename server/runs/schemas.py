"""Request bodies of the run endpoints, in LangGraph Server's shape (what langgraph-sdk and
agent-chat-ui send).

Nothing is silently ignored. Each field of LangGraph Server's run-create body is either
implemented, or accepted only at the value that means "the default behaviour" (another
value answers 422 naming the field and saying it is not supported); a key that is no field
answers 422 naming it. What needs the graph (node names, context keys, the checkpoint) is
checked by `server.runs.checks` before the run is created.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator, with_config
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

StreamModeName = Literal[
    "values", "updates", "messages", "messages-tuple", "custom", "events", "debug", "tasks", "checkpoints"
]
MultitaskStrategy = Literal["reject", "interrupt", "rollback", "enqueue"]
Durability = Literal["sync", "async", "exit"]

#: Fields accepted only at their default: the values that mean it, and what the server does instead.
DEFAULT_ONLY: dict[str, tuple[tuple[Any, ...], str]] = {
    "feedback_keys": ((None, []), "no LangSmith feedback is collected"),
    "strict_resume": ((None, False), "a resume is not checked against the waiting interrupts"),
    "langsmith_tracer": ((None,), "runs are not traced to LangSmith"),
}


def not_supported(why: str, default: Any = None) -> PydanticCustomError:
    """The error of a field given a value the server does not implement (its field is the location)."""
    template = "not supported by this server ({why}); omit it or send {default}"
    return PydanticCustomError("not_supported", template, {"why": why, "default": json.dumps(default)})


class StrictBody(BaseModel):
    """A request body that refuses keys it does not define (422 naming each) instead of ignoring them."""

    model_config = ConfigDict(extra="forbid")


@with_config(ConfigDict(extra="forbid"))
class RunnableConfigBody(TypedDict, total=False):
    """LangGraph's config as the SDKs type it: all three keys are applied (assistant's, then the run's)."""

    tags: list[str]
    recursion_limit: Annotated[int, Field(ge=1, le=100_000)]
    configurable: dict[str, Any]


class CheckpointRef(StrictBody):
    """A checkpoint as the thread state returns it (agent-chat-ui drops `thread_id` before sending it back)."""

    thread_id: str | None = None
    checkpoint_ns: str = ""
    checkpoint_id: str | None = None
    checkpoint_map: dict[str, Any] | None = Field(
        default=None, description="subgraph namespaces to checkpoint ids: derived from checkpoint_id, not read"
    )

    @field_validator("checkpoint_ns")
    @classmethod
    def _root_namespace(cls, value: str) -> str:
        if value:
            raise not_supported("no served graph has subgraphs, so the only namespace is the root one", "")
        return value


class CommandBody(StrictBody):
    """LangGraph's Command: `resume` answers an interrupt; `update`/`goto` steer the graph."""

    resume: Any = None
    update: Any = None
    goto: Any = None


class RunCreate(StrictBody):
    assistant_id: str = Field(min_length=1)
    input: Any = None
    command: CommandBody | None = None
    config: RunnableConfigBody = Field(default_factory=lambda: RunnableConfigBody())
    context: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    stream_mode: StreamModeName | list[StreamModeName] = "values"
    stream_subgraphs: bool = Field(
        default=False, description="no served graph has subgraphs, so both values stream the same events"
    )
    stream_resumable: bool = Field(
        default=False, description="every run's events are kept: any stream can be rejoined with Last-Event-ID"
    )
    checkpoint: CheckpointRef | None = None
    checkpoint_id: str | None = None
    interrupt_before: Literal["*"] | list[str] | None = None
    interrupt_after: Literal["*"] | list[str] | None = None
    multitask_strategy: MultitaskStrategy = "enqueue"
    if_not_exists: Literal["create", "reject"] = "reject"
    on_completion: Literal["delete", "keep"] | None = None
    on_disconnect: Literal["cancel", "continue"] = "continue"
    after_seconds: float | None = Field(default=None, ge=0, le=86_400)
    durability: Durability | None = None
    checkpoint_during: bool | None = Field(default=None, description="deprecated: durability async (true) or exit")
    webhook: str | None = Field(
        default=None, max_length=2048,
        description="http(s) URL the finished run is POSTed to, signed (see server.runs.webhooks)",
    )
    feedback_keys: list[str] | None = None
    strict_resume: bool | None = None
    langsmith_tracer: dict[str, Any] | None = None

    @field_validator(*DEFAULT_ONLY)
    @classmethod
    def _default_only(cls, value: Any, info: ValidationInfo) -> Any:
        """Accepting a value and never acting on it would be a silent lie: only the default passes."""
        defaults, why = DEFAULT_ONLY[str(info.field_name)]
        if value not in defaults:
            raise not_supported(why, defaults[-1])
        return value

    @field_validator("webhook")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        """Only the URL's form here; whether its host may be called is checked before the run is made."""
        if value is not None and not value.lower().startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> RunCreate:
        if self.input is not None and self.command is not None:
            raise ValueError("give either input or command, not both")
        if self.checkpoint_during is not None:  # LangGraph's own mapping of the deprecated flag
            implied: Durability = "async" if self.checkpoint_during else "exit"
            if self.durability not in (None, implied):
                raise ValueError(f"checkpoint_during={self.checkpoint_during} contradicts durability={self.durability}")
            self.durability = implied
        named = self.checkpoint.checkpoint_id if self.checkpoint else None
        if named and self.checkpoint_id and named != self.checkpoint_id:
            raise ValueError("checkpoint.checkpoint_id and checkpoint_id name different checkpoints")
        return self

    @property
    def modes(self) -> list[str]:
        return [self.stream_mode] if isinstance(self.stream_mode, str) else list(dict.fromkeys(self.stream_mode))

    @property
    def checkpoint_config(self) -> dict[str, Any]:
        """The configurable keys that start the run from a given checkpoint (a fork)."""
        out: dict[str, Any] = {}
        if self.checkpoint and self.checkpoint.checkpoint_id:
            out["checkpoint_id"] = self.checkpoint.checkpoint_id
        if self.checkpoint_id:
            out["checkpoint_id"] = self.checkpoint_id
        return out

    @property
    def fork_from(self) -> str | None:
        """The checkpoint id the run starts from, if one is named."""
        return self.checkpoint_config.get("checkpoint_id")


__all__ = ["CheckpointRef", "CommandBody", "RunCreate", "RunnableConfigBody", "StrictBody", "not_supported"]
