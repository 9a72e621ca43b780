"""The grounded reply: verified parts in a fixed order, rendered the same on every framework."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field

from agents.llm.types import Usage
from agents.personas import AgentReply, AgentStep, Framework
from tools.course.errata import erratum_kind

DirectSource = Literal["erratum", "quiz", "computation", "explanation", "none"]


class Citation(BaseModel):
    """Where a part of the answer comes from: a concept, or a range of lines in the notes."""

    kind: Literal["concept", "notes", "erratum", "quiz"]
    concept: str | None = None
    title: str = ""
    line_start: int | None = None
    line_end: int | None = None

    def render(self) -> str:
        lines = ""
        if self.line_start is not None:
            end = self.line_end if self.line_end is not None else self.line_start
            lines = (
                f"notes line {self.line_start}" if end == self.line_start else f"notes lines {self.line_start}-{end}"
            )
        if self.kind == "notes":
            return f"{lines} ({self.title})" if self.title else lines
        name = f"concept `{self.concept}`" if self.concept else self.title
        return f"{name}, {lines}" if lines else f"{name} ({self.title})" if self.title else name


class Computation(BaseModel):
    """A concept run: its arguments, result, the sentence that states it, and where the arguments came from."""

    concept: str
    arguments: dict[str, Any]
    result: dict[str, Any]
    headline: str
    source: Literal["question", "repaired", "example"]
    problems: list[str] = Field(default_factory=list)

    @property
    def from_example(self) -> bool:
        return self.source == "example"


class GroundedAnswer(BaseModel):
    """Everything the tutor says, each part verified; `render` lays it out for a learner."""

    question: str
    concept: str | None = None
    concept_title: str | None = None
    direct: str
    direct_source: DirectSource
    prose: str | None = None
    computation: Computation | None = None
    explanation: str | None = None
    errata: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)

    def render(self) -> str:
        """Markdown in the order: direct answer, connecting prose, worked example, explanation, errata, sources."""
        blocks = [self.direct]
        if self.prose:
            blocks.append(self.prose)
        comp = self.computation
        if comp is not None and comp.headline not in self.direct:
            label = "Worked example (the concept's own example)" if comp.from_example else "Computed"
            blocks.append(f"**{label}**, `{comp.concept}` on `{json.dumps(comp.arguments)}`: {comp.headline}")
        quiet = {
            "the question gives no values",
            "a reference answer covers the question",
            "the question asks about the example",
        }
        if comp is not None and comp.from_example and comp.problems and not set(comp.problems) <= quiet:
            blocks.append("(I could not read valid values from your question, so this uses the concept's own example.)")
        if self.explanation:
            blocks.append(f"**Explanation.** {self.explanation}")
        if self.errata:
            blocks.append(f"**{errata_heading(self.errata)}**\n" + "\n".join(f"- {e}" for e in self.errata))
        sources = [c.render() for c in self.citations] + self.references
        if sources:
            blocks.append("**Sources.** " + "; ".join(dict.fromkeys(s for s in sources if s)))
        return "\n\n".join(blocks)


def errata_heading(errata: list[str]) -> str:
    """"Where the notes are wrong." names only the kinds its items have (each item names its own),
    so a list of merely imprecise statements is not headed as wrong."""
    kinds = {erratum_kind(e) or "wrong" for e in errata}
    parts = [k for k in ("wrong", "imprecise", "outdated") if k in kinds]
    said = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]
    return f"Where the notes are {said}."


def grounded_reply(
    persona: str,
    framework: Framework,
    answer: GroundedAnswer | None,
    steps: list[AgentStep],
    usage: list[Usage],
    stop_reason: str = "completed",
) -> AgentReply:
    """The persona's reply for a grounded turn, whichever framework ran it: the rendered text plus its parts."""
    return AgentReply(
        persona=persona,
        framework=framework,
        text=answer.render() if answer is not None else "",
        steps=steps,
        usage=usage,
        stop_reason=stop_reason,
        grounding=answer.model_dump(mode="json") if answer is not None else None,
    )


__all__ = ["Citation", "Computation", "DirectSource", "GroundedAnswer", "grounded_reply"]
