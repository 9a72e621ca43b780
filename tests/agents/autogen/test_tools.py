"""Concept FunctionTools come from the registry and work inside a real AssistantAgent tool loop."""

from __future__ import annotations

import json
import re

from autogen_core import CancellationToken
from autogen_core.tools import FunctionTool

from agents.autogen_adapter.build import NO_TOOLS_NOTE
from agents.autogen_adapter.run import run_persona_autogen
from agents.autogen_adapter.tools import concept_function_tools
from agents.concept_tools import concept_tool_specs, shortlist_specs
from agents.llm.backends.scripted import ScriptedBackend
from agents.personas import get_persona

from .conftest import scripted_gateway


def test_every_concept_becomes_a_function_tool() -> None:
    specs = concept_tool_specs()
    tools = concept_function_tools(["all"])
    assert [t.name for t in tools] == [s.name for s in specs] and len(tools) >= 20
    assert all(isinstance(t, FunctionTool) for t in tools)
    for tool, spec in zip(tools, specs, strict=True):
        schema = tool.schema
        assert schema["description"] == spec.description
        params = schema.get("parameters", {})
        assert set(params.get("properties", {})) == set(spec.parameters["properties"])
        assert set(params.get("required", [])) == set(spec.parameters.get("required", []))


async def test_function_tool_schema_and_run_json() -> None:
    (tool,) = concept_function_tools(["softmax"])
    properties = tool.schema.get("parameters", {}).get("properties", {})
    assert properties["logits"]["type"] == "array" and properties["temperature"]["default"] == 1.0
    result = await tool.run_json({"logits": [2.0, 1.0, 0.1]}, CancellationToken())
    probs = json.loads(tool.return_value_as_string(result))["probs"]
    assert round(probs[0], 3) == 0.659 and abs(sum(probs) - 1.0) < 1e-9


async def test_every_concept_example_runs_through_run_json() -> None:
    for spec, tool in zip(concept_tool_specs(), concept_function_tools(), strict=True):
        result = await tool.run_json(spec.concept.example, CancellationToken())
        assert not str(result).startswith("ERROR"), (spec.name, result)
        json.loads(result)


async def test_bad_input_comes_back_as_a_readable_error() -> None:
    (tool,) = concept_function_tools(["softmax"])
    result = await tool.run_json({"logits": [1.0, 2.0], "temperature": -1}, CancellationToken())
    assert result.startswith("ERROR invalid input for concept_softmax: temperature")
    assert "Example input" in result


async def test_tutor_on_a_tool_model_calls_a_concept_tool() -> None:
    call = '{"tool": "concept_softmax", "arguments": {"logits": [2.0, 1.0, 0.1]}}'
    answer = "Softmax turns the logits into probabilities 0.659, 0.242 and 0.099."
    gateway = scripted_gateway(
        [{"pattern": "You are the GenAI tutor", "responses": [call, answer]}], capabilities=["completion", "tools"]
    )
    events: list[tuple[str, dict[str, object]]] = []
    reply = await run_persona_autogen(
        get_persona("tutor"), "What is softmax of [2, 1, 0.1]?", gateway, on_event=lambda k, d: events.append((k, d))
    )
    assert reply.framework == "autogen" and reply.text == answer
    kinds = [s.kind for s in reply.steps]
    assert "tool_call" in kinds and "tool_result" in kinds
    result = next(s for s in reply.steps if s.kind == "tool_result")
    assert result.content.startswith("concept_softmax:") and "0.659" in result.content
    calls = [d for k, d in events if k == "tool_call"]
    assert calls == [{"source": "tutor", "name": "concept_softmax", "arguments": '{"logits": [2.0, 1.0, 0.1]}'}]
    assert len(reply.usage) == 2 == len(gateway.ledger.records)
    # only the shortlisted tool is offered, not all ~30 concepts
    backend = gateway.backend
    assert isinstance(backend, ScriptedBackend)
    offered = re.findall(r"^- (concept_\w+):", backend.prompts[0], re.MULTILINE)
    shortlist = [s.name for s in shortlist_specs(["all"], "What is softmax of [2, 1, 0.1]?")]
    assert offered == shortlist == ["concept_softmax"]


async def test_tutor_on_a_model_without_tools_gets_no_tools_and_says_so() -> None:
    gateway = scripted_gateway([{"pattern": "You are the GenAI tutor", "response": "Softmax normalises logits."}])
    reply = await run_persona_autogen(get_persona("tutor"), "What is softmax?", gateway)
    assert reply.text == "Softmax normalises logits." and reply.stop_reason == "completed"
    backend = gateway.backend
    assert isinstance(backend, ScriptedBackend)
    assert NO_TOOLS_NOTE in backend.prompts[-1] and "You can call these tools" not in backend.prompts[-1]
