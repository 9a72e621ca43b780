"""Typed, JSON-serialisable configs for every reasoning strategy.

A graph node receives one `StrategyConfig` (a discriminated union on `kind`), so a run's
checkpoint records exactly how it reasons and a resumed run reasons the same way.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agents.reasoning import persona_ref

#: How a config names a persona: "tutor", or "tutor@crewai" for a framework other than its own.
PERSONA_HELP = "a persona (tutor, coder, evaluator, prompt-engineer), optionally @crewai or @autogen; None = the model"


def persona_label(value: str | None) -> str | None:
    """A persona name as its canonical "persona@framework" label (stored so a resumed run asks the same)."""
    return None if value is None or not str(value).strip() else persona_ref(value).label


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_tokens: int = Field(default=512, ge=1, description="completion budget per call")
    seed: int = Field(default=0, description="base seed; call i uses seed + i so runs are reproducible")


class _Answered(_Config):
    """A single-call strategy: the answer step may be done by a persona."""

    proposer: str | None = Field(default=None, description=f"who answers: {PERSONA_HELP}")

    @field_validator("proposer")
    @classmethod
    def _persona(cls, value: str | None) -> str | None:
        return persona_label(value)


class DirectConfig(_Answered):
    """Ask once for the answer alone (greedy)."""

    kind: Literal["direct"] = "direct"
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_tokens: int = Field(default=64, ge=1)
    structured: bool = Field(default=False, description="ask for JSON {answer} when the model supports json_schema")


class CoTConfig(_Answered):
    """One greedy chain of thought ending in 'Answer: ...'."""

    kind: Literal["cot"] = "cot"
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    structured: bool = Field(default=False, description="ask for JSON {reasoning, answer} when supported")


class CoTSCConfig(_Config):
    """Self-consistency: n sampled chains, majority vote, optional adaptive early stop."""

    kind: Literal["cot_sc"] = "cot_sc"
    n: int = Field(default=5, ge=1, le=256)
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    max_concurrency: int = Field(default=4, ge=1, le=64)
    early_stop: bool = True
    confidence_threshold: float | None = Field(
        default=None, gt=0.0, le=1.0, description="also stop once the leader's share of answered samples ≥ this"
    )
    min_samples: int = Field(default=3, ge=1, description="samples needed before the confidence rule may stop")
    prefix_reuse: bool = Field(
        default=True,
        description="all samples share one identical prompt (KV/prompt cache hit); False adds a per-sample nonce",
    )
    samplers: list[str] = Field(
        default_factory=list,
        description=f"who draws the samples, in turn (sample i: samplers[i % len]): {PERSONA_HELP}; [] = the model",
    )
    evaluator: str | None = Field(
        default=None,
        description="a persona that checks each sampled answer (the evaluator grades it against the concept lab); "
        "an answer that contradicts the concept lab is left out of the vote",
    )

    @field_validator("samplers")
    @classmethod
    def _samplers(cls, values: list[str]) -> list[str]:
        return [label for v in values if (label := persona_label(v)) is not None]

    @field_validator("evaluator")
    @classmethod
    def _evaluator(cls, value: str | None) -> str | None:
        return persona_label(value)


class ToTConfig(_Config):
    """Tree of Thoughts (Yao et al. 2023): generate, evaluate, select over a tree.

    The paper's exact behaviour (for replaying its logs) is verify_steps=False,
    constrained_verdicts=False, propose_mode="free"; the defaults spend no call on an
    impossible step and never lose a value sample to an unparseable verdict.

    `propose_mode`: "free" is the paper's (the model writes its steps); "choice" lets the model
    pick among the task's exactly computed legal steps under constrained decoding, so every
    proposal is valid (Game of 24; on Gemma 3 270M every free-text step was wrong, so free
    proposals prune the whole tree at step one). The default "auto" chooses "choice" where free
    text cannot work and a choice can be enforced: a task that lists its legal steps, on a model
    without native tool calling (the embedded base model) whose backend constrains output. A
    capable model keeps the paper's mode, and the scripted test backend (which cannot constrain
    anything) replays the paper's logs unchanged.
    """

    kind: Literal["tot"] = "tot"
    search: Literal["bfs", "dfs"] = "bfs"
    generate: Literal["propose", "sample"] = "propose"
    n_generate: int = Field(default=1, ge=1, le=32, description="samples per state ('sample')")
    n_propose: int = Field(
        default=5,
        ge=1,
        le=32,
        description="lines a generic propose prompt asks for; in choice mode, distinct steps chosen per state",
    )
    propose_mode: Literal["auto", "free", "choice"] = Field(
        default="auto",
        description="free = the model writes steps (the paper); choice = it picks legal steps the program "
        "computed; auto = choice on models without tool calling whose output can be constrained",
    )
    max_children: int | None = Field(
        default=None, ge=1, description="cap on children per expanded state (None = keep all, as the paper does)"
    )
    evaluate: Literal["value", "vote"] = "value"
    n_evaluate: int = Field(default=3, ge=1, le=32)
    select: Literal["greedy", "sample"] = "greedy"
    breadth: int = Field(default=5, ge=1, le=64, description="b: states kept per BFS level")
    depth: int | None = Field(default=None, ge=1, le=16, description="T: steps; None = the task's own")
    value_threshold: float = Field(default=1.0, description="DFS prunes children valued below this")
    max_nodes: int = Field(
        default=200, ge=1, description="hard bound on generated nodes, invalid ones not counted (cost guard)"
    )
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    max_tokens: int = Field(default=256, ge=1, description="budget of a generate call")
    eval_max_tokens: int = Field(default=96, ge=1, description="budget of an evaluate call")
    max_concurrency: int = Field(default=4, ge=1, le=64)
    cache_values: bool = Field(default=True, description="reuse a value for an identical evaluation prompt")
    verify_steps: bool = Field(
        default=True,
        description="prune proposals the task's exact step verifier rejects (Game of 24) before valuing them; "
        "False = the paper",
    )
    constrained_verdicts: bool = Field(
        default=True,
        description="a value sample naming no verdict gets one by constrained decoding instead of scoring 0; "
        "False = the paper",
    )
    proposer: str | None = Field(default=None, description=f"who proposes the thoughts: {PERSONA_HELP}")
    evaluator: str | None = Field(default=None, description=f"who values (or votes on) the states: {PERSONA_HELP}")

    @field_validator("proposer", "evaluator")
    @classmethod
    def _persona(cls, value: str | None) -> str | None:
        return persona_label(value)

    @model_validator(mode="after")
    def _check(self) -> ToTConfig:
        if self.search == "dfs" and self.select == "sample":
            raise ValueError("select='sample' only applies to BFS")
        if self.proposer is not None and self.propose_mode == "choice":
            raise ValueError(
                "propose_mode 'choice' picks steps under constrained decoding, which a persona's turn cannot do; "
                "use 'free' or 'auto' with a proposer"
            )
        return self


StrategyConfig = Annotated[DirectConfig | CoTConfig | CoTSCConfig | ToTConfig, Field(discriminator="kind")]


__all__ = ["CoTConfig", "CoTSCConfig", "DirectConfig", "StrategyConfig", "ToTConfig", "persona_label"]
