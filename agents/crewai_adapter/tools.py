"""Concept tools for CrewAI, generated from the registry's ToolSpecs (no per-concept code).

Each spec becomes its own BaseTool subclass whose args_schema is the concept's pydantic
input model, so CrewAI's text ReAct shows the model the exact argument schema and
validates "Action Input" before the concept runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from crewai.tools import BaseTool
from crewai.tools.structured_tool import CrewStructuredTool
from pydantic import BaseModel, PrivateAttr

from agents.concept_tools import ToolSpec, concept_tool_specs

#: (kind, data) listener: "tool_call" before a concept runs, "tool_result" after.
ToolObserver = Callable[[str, dict[str, Any]], None]

#: Observations longer than this are cut: small models drown in big matrices.
MAX_RESULT_CHARS = 2000

_CLASSES: dict[str, type[ConceptTool]] = {}


def compact_schema(model: type[BaseModel]) -> str:
    """The model's own JSON schema as one line without titles: half the tokens of CrewAI's dump.

    CrewAI renders a strict-mode schema that marks every field required and hides dict
    values; the pydantic schema says what the concept really accepts.
    """

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "title"}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return json.dumps(strip(model.model_json_schema()), separators=(",", ":"))


class CompactStructuredTool(CrewStructuredTool):
    """CrewAI's runtime tool, rendered compactly in the ReAct prompt (small local contexts)."""

    @property
    def formatted_description(self) -> str:
        args = compact_schema(self.args_schema) if self.args_schema is not None else "{}"
        return f"Tool Name: {self.name}\nTool Arguments: {args}\nTool Description: {self.description}"


class ConceptTool(BaseTool):
    """Base of the generated tools: runs the class's ToolSpec and reports to an observer."""

    spec: ClassVar[ToolSpec]
    _observer: ToolObserver | None = PrivateAttr(default=None)
    _max_chars: int = PrivateAttr(default=MAX_RESULT_CHARS)

    def _run(self, **kwargs: Any) -> str:
        arguments = {k: v for k, v in kwargs.items() if v is not None}
        self._notify("tool_call", {"tool": self.spec.name, "arguments": arguments})
        result = self.spec.run(arguments)
        if len(result) > self._max_chars:
            result = result[: self._max_chars] + f"... [truncated, {len(result)} characters in full]"
        self._notify("tool_result", {"tool": self.spec.name, "result": result})
        return result

    def to_structured_tool(self) -> CrewStructuredTool:
        """CrewAI's own conversion, re-classed so the prompt shows the compact schema."""
        structured = super().to_structured_tool()
        structured.__class__ = CompactStructuredTool
        return structured

    def _notify(self, kind: str, data: dict[str, Any]) -> None:
        if self._observer is not None:
            self._observer(kind, data)


def _class_name(spec: ToolSpec) -> str:
    words = re.split(r"[^0-9a-zA-Z]+", spec.concept.name)
    return "".join(w.capitalize() for w in words if w) + "Tool"


def concept_tool_class(spec: ToolSpec) -> type[ConceptTool]:
    """The BaseTool subclass for one spec, built once and cached by tool name."""
    cls = _CLASSES.get(spec.name)
    if cls is None:
        name = _class_name(spec)
        namespace: dict[str, Any] = {
            "__module__": __name__,
            "__qualname__": name,
            "__doc__": spec.concept.title,
            "__annotations__": {"name": str, "description": str, "args_schema": type[BaseModel]},
            "name": spec.name,
            "description": spec.description,
            "args_schema": spec.concept.input_model,
            "spec": spec,
        }
        cls = type(name, (ConceptTool,), namespace)
        _CLASSES[spec.name] = cls
    return cls


def concept_tool(
    spec: ToolSpec, *, observer: ToolObserver | None = None, max_result_chars: int = MAX_RESULT_CHARS
) -> ConceptTool:
    cls: Any = concept_tool_class(spec)  # name, description and args_schema are class defaults
    tool: ConceptTool = cls()
    tool._observer = observer
    tool._max_chars = max_result_chars
    return tool


def concept_tools(names: Sequence[str] | None = None, *, observer: ToolObserver | None = None) -> list[BaseTool]:
    """CrewAI tools for the named concepts (every concept for None or ["all"])."""
    return [concept_tool(spec, observer=observer) for spec in concept_tool_specs(list(names or []) or None)]


__all__ = [
    "MAX_RESULT_CHARS",
    "ConceptTool",
    "ToolObserver",
    "concept_tool",
    "concept_tool_class",
    "concept_tools",
]
