"""Request bodies of the run endpoints, in LangGraph Server's shape (what langgraph-sdk sends).

Unknown extra fields are accepted and ignored (newer SDKs add some); known fields are
validated so a bad value answers 422 naming the field.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

StreamModeName = Literal[
    "values", "updates", "messages", "messages-tuple", "custom", "events", "debug", "tasks", "checkpoints"
]
MultitaskStrategy = Literal["reject", "interrupt", "rollback", "enqueue"]


class CommandBody(BaseModel):
    """LangGraph's Command: `resume` answers an interrupt; `update`/`goto` steer the graph."""

    model_config = ConfigDict(extra="forbid")

    resume: Any = None
    update: Any = None
    goto: Any = None


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="allow")

    assistant_id: str = Field(min_length=1)
    input: Any = None
    command: CommandBody | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    stream_mode: StreamModeName | list[StreamModeName] = "values"
    stream_subgraphs: bool = False
    stream_resumable: bool = False
    checkpoint: dict[str, Any] | None = None
    checkpoint_id: str | None = None
    interrupt_before: Literal["*"] | list[str] | None = None
    interrupt_after: Literal["*"] | list[str] | None = None
    multitask_strategy: MultitaskStrategy = "enqueue"
    if_not_exists: Literal["create", "reject"] = "reject"
    on_completion: Literal["delete", "keep"] | None = None
    on_disconnect: Literal["cancel", "continue"] = "continue"
    after_seconds: float | None = Field(default=None, ge=0, le=86_400)
    webhook: str | None = None
    durability: Literal["sync", "async", "exit"] | None = None

    @field_validator("webhook")
    @classmethod
    def _no_webhooks(cls, value: str | None) -> str | None:
        """Accepting a webhook and never calling it would be a silent lie: refuse it."""
        if value is not None:
            raise ValueError("webhooks are not supported by this server; poll the run or join its stream")
        return value

    @model_validator(mode="after")
    def _input_or_command(self) -> RunCreate:
        if self.input is not None and self.command is not None:
            raise ValueError("give either input or command, not both")
        return self

    @property
    def modes(self) -> list[str]:
        return [self.stream_mode] if isinstance(self.stream_mode, str) else list(dict.fromkeys(self.stream_mode))

    @property
    def checkpoint_config(self) -> dict[str, Any]:
        """The configurable keys that start the run from a given checkpoint (a fork)."""
        out: dict[str, Any] = {}
        if self.checkpoint:
            out.update({k: v for k, v in self.checkpoint.items() if k in ("checkpoint_id", "checkpoint_ns") and v})
        if self.checkpoint_id:
            out["checkpoint_id"] = self.checkpoint_id
        return out
