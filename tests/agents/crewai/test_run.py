"""Persona turns through the real CrewAI machinery (Agent, Task, Crew, text ReAct) on scripted models."""

from __future__ import annotations

import json
import time

import pytest

from agents.concept_tools import concept_tool_specs
from agents.crewai_adapter import AgentRunError, run_persona_crewai
from agents.crewai_adapter.parsing import parse_tricks
from agents.llm import BackendUnavailable, Gateway
from agents.personas import get_persona
from tools.grading.score import parse_reasons, parse_score

from .conftest import DownBackend, EventLog, action, final, scripted

SOFTMAX_INPUT = '{"logits": [2.0, 1.0, 0.1], "temperature": 1.0}'
SOFTMAX_P0 = json.loads(concept_tool_specs(["softmax"])[0].run(json.loads(SOFTMAX_INPUT)))["probs"][0]


def tutor_rules() -> list[dict[str, str]]:
    # first match wins: once the Observation with the computed number is in the prompt, answer
    answer = "Softmax turns logits into probabilities: [2, 1, 0.1] gives 0.659 for the first."
    return [
        {"pattern": r"Observation: \{\"probs\": \[0\.659", "response": final(answer)},
        {"pattern": r"GenAI tutor.*Task: Explain softmax", "response": action("concept_softmax", SOFTMAX_INPUT)},
    ]


@pytest.mark.parametrize("capabilities", [["completion"], ["completion", "tools"]])
async def test_tutor_calls_a_concept_tool_via_react_and_quotes_its_number(
    capabilities: list[str], event_log: EventLog
) -> None:
    gateway, backend = scripted(tutor_rules(), capabilities)
    tutor = get_persona("tutor")
    assert tutor.framework == "crewai"
    reply = await run_persona_crewai(tutor, "Explain softmax with an example", gateway, on_event=event_log)

    assert reply.stop_reason == "completed" and reply.framework == "crewai" and reply.persona == "tutor"
    assert f"{SOFTMAX_P0:.3f}" in reply.text
    assert [s.kind for s in reply.steps] == ["tool_call", "tool_result", "message"]
    assert reply.steps[0].content.startswith("concept_softmax(") and str(SOFTMAX_P0) in reply.steps[1].content
    assert len(reply.usage) == 2 and all(u.completion_tokens > 0 for u in reply.usage)
    # the tool offered was shortlisted from the task, and the observation reached the model as input
    assert "Tool Name: concept_softmax" in backend.prompts[0] and "concept_attention" not in backend.prompts[0]
    assert f"Observation: {{\"probs\": [{SOFTMAX_P0}" in backend.prompts[1]
    # events: streamed tokens, then the tool call and result, then more tokens and the final message
    kinds = event_log.kinds()
    assert kinds.index("tool_call") < kinds.index("tool_result") < kinds.index("message")
    assert kinds[0] == "token" and "Action: concept_softmax" in event_log.text()
    assert event_log.events[-1][1]["text"] == reply.text


async def test_bad_tool_input_is_recorded_and_fed_back() -> None:
    gateway, _ = scripted([
        {"pattern": r"Arguments validation failed|validation error", "response": final("I could not compute it.")},
        {"pattern": r"Current Task: Explain softmax", "response": action("concept_softmax", '{"logits": []}')},
    ])
    reply = await run_persona_crewai(get_persona("tutor"), "Explain softmax", gateway)
    assert reply.stop_reason == "completed"
    assert [s.kind for s in reply.steps][:2] == ["tool_call", "tool_result"]
    assert "logits" in reply.steps[1].content


async def test_prompt_engineer_names_the_tricks_it_applied() -> None:
    answer = (
        "REWRITTEN PROMPT:\nYou are an experienced historian. Explain step by step, in 5 bullet points, "
        "why the Roman Empire fell.\nTRICKS:\n- persona: an expert voice sets the level\n"
        "- chain of thought: step-by-step reasoning before the conclusion\n"
        "- structured text: five bullets make the answer easy to scan"
    )
    gateway, _ = scripted([{"pattern": r"You are prompt engineer", "response": final(answer)}])
    reply = await run_persona_crewai(get_persona("prompt-engineer"), "Improve: why did Rome fall?", gateway)
    tricks = parse_tricks(reply.text)
    assert [t["trick"] for t in tricks] == ["persona", "chain of thought", "structured text"]
    assert tricks[0]["why"] == "an expert voice sets the level"
    assert reply.steps[-1].kind == "message" and reply.usage


async def test_evaluator_built_in_crewai_returns_score_and_reasons() -> None:
    evaluator = get_persona("evaluator")
    grade = final("SCORE: 7\nREASONS:\n- correct definition\n- no example")
    gateway, backend = scripted([{"pattern": r"You are strict evaluator.*Grade", "response": grade}])
    # nothing the course can check (the grounded path is tested in tests/agents/grading): the model grades
    haiku = "Grade this haiku: autumn moonlight, a worm digs silently into the chestnut."
    reply = await run_persona_crewai(evaluator, haiku, gateway)
    assert reply.framework == "crewai" and reply.stop_reason == "completed"
    assert parse_score(reply.text) == 7.0
    assert "correct definition" in parse_reasons(reply.text)
    assert "strict evaluator" in backend.prompts[0]


async def test_a_model_that_never_answers_is_stopped_by_max_iter() -> None:
    tutor = get_persona("tutor").model_copy(update={"max_iterations": 2})
    gateway, backend = scripted([{"pattern": ".", "responses": [
        action("concept_softmax", '{"logits": [1.0, 2.0]}'),
        action("concept_softmax", '{"logits": [3.0, 2.0]}'),
        action("concept_softmax", '{"logits": [5.0, 2.0]}'),
    ]}])
    started = time.monotonic()
    reply = await run_persona_crewai(tutor, "Explain softmax", gateway)
    assert reply.stop_reason == "max_iterations"
    assert len(backend.prompts) == tutor.max_iterations + 1  # the loop, then CrewAI's forced final answer
    assert len(reply.usage) == len(backend.prompts)
    assert sum(s.kind == "tool_call" for s in reply.steps) == tutor.max_iterations
    assert time.monotonic() - started < 20


async def test_unavailable_backend_raises_a_clear_agent_error_without_retries() -> None:
    backend = DownBackend()
    with pytest.raises(AgentRunError, match=r"^model backend unavailable: cannot reach Ollama") as caught:
        await run_persona_crewai(get_persona("tutor"), "Explain softmax", Gateway(backend))
    assert isinstance(caught.value.cause, BackendUnavailable)
    assert backend.attempts == 1


async def test_a_slow_model_is_cut_off_by_the_timeout() -> None:
    tutor = get_persona("tutor").model_copy(update={"timeout_s": 1.0})
    gateway, _ = scripted([{"pattern": ".", "response": "word " * 50, "delay_s": 0.2}])
    started = time.monotonic()
    reply = await run_persona_crewai(tutor, "Explain softmax", gateway)
    assert reply.stop_reason == "timeout" and reply.text == ""
    assert time.monotonic() - started < 8
