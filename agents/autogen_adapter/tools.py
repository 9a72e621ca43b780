"""Concept-lab tasks as AutoGen FunctionTools, generated from the registry's tool specs.

No per-concept code: each spec's input model becomes the function's typed signature, so
FunctionTool derives the argument schema (types, defaults, constraints) the model sees and
validates calls with it; the call itself goes through ToolSpec.run, which returns bad
input as a readable error with an example rather than raising.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any

from autogen_core.tools import FunctionTool
from pydantic import BaseModel

from agents.concept_tools import ToolSpec, concept_tool_specs


def _signature(model: type[BaseModel]) -> inspect.Signature:
    """Keyword-only parameters mirroring the input model's fields (descriptions kept)."""
    params = []
    for name, field in model.model_fields.items():
        annotation: Any = field.annotation
        if field.description:
            annotation = Annotated[annotation, field.description]  # FunctionTool's description convention
        default = inspect.Parameter.empty if field.is_required() else field.get_default(call_default_factory=True)
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation))
    return inspect.Signature(params, return_annotation=str)


def _runner(spec: ToolSpec) -> Any:
    """A plain function with the spec's signature that runs the concept."""

    def run_concept(**arguments: Any) -> str:
        plain = {k: v.model_dump() if isinstance(v, BaseModel) else v for k, v in arguments.items()}
        return spec.run(plain)

    signature = _signature(spec.concept.input_model)
    run_concept.__signature__ = signature  # type: ignore[attr-defined]
    run_concept.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()} | {"return": str}
    run_concept.__name__ = run_concept.__qualname__ = spec.name
    run_concept.__doc__ = spec.description
    return run_concept


def concept_function_tool(spec: ToolSpec) -> FunctionTool:
    """One concept spec as an AutoGen FunctionTool."""
    return FunctionTool(_runner(spec), description=spec.description, name=spec.name)


def concept_function_tools(names: list[str] | None = None) -> list[FunctionTool]:
    """FunctionTools for the named concepts (all of them for None or ["all"])."""
    return [concept_function_tool(spec) for spec in concept_tool_specs(names)]


__all__ = ["concept_function_tool", "concept_function_tools"]
