"""The persona contract, held the same way on CrewAI and AutoGen (agents.runner).

For every persona on either framework, on the scripted model: the same reply fields are
filled, the coder's final program runs in the bwrap sandbox and is reported the same way,
a turn offers the same tool shortlist, and an evaluator's score is read by the one parser.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from agents.concept_tools import shortlist_specs
from agents.grade_turn import FORMAT_NUDGE
from agents.llm import Gateway
from agents.llm.backends.scripted import ScriptedBackend
from agents.personas import AgentReply, get_persona
from agents.runner import run_agent, run_turn
from tests.agents.autogen.conftest import needs_bwrap
from tests.agents.crewai.conftest import EventLog
from tests.agents.grading.conftest import judge_gateway
from tools.grading.score import parse_reasons, parse_score, render_grade

FRAMEWORKS = ["autogen", "crewai"]
CODER = "Python developer"  # matches the coder's system prompt on both frameworks
EVALUATOR = "strict evaluator"
CODE_TASK = "Write and run a function that reverses a string"
REVERSE = "Here it is:\n```python\ndef reverse(s):\n    return s[::-1]\n\nprint(reverse('hello'))\n```"
BROKEN = "```python\ndef reverse(s):\n    return s.reverse()\n\nprint(reverse('hello'))\n```"
SILENT = "```python\ndef reverse(s):\n    return s[::-1]\n```"  # runs cleanly, shows nothing
HAIKU = "Grade this haiku: autumn moonlight, a worm digs silently into the chestnut."
CHECKABLE = "Grade this answer to 'What does RMSNorm do differently from LayerNorm?': RMSNorm subtracts the mean."
SOFTMAX = "What is the softmax of the logits (2, 1, 0.1)?"
FIELDS = ("text", "steps", "usage", "grounding", "context")


def filled(reply: AgentReply) -> set[str]:
    """The reply fields a turn filled."""
    return {name for name in FIELDS if getattr(reply, name)}


def scripted(rules: list[dict[str, Any]], capabilities: list[str] | None = None) -> tuple[Gateway, ScriptedBackend]:
    backend = ScriptedBackend(rules, capabilities=capabilities)
    return Gateway(backend), backend


def coder_steps(reply: AgentReply) -> list[tuple[str, str]]:
    return [(s.kind, s.source) for s in reply.steps]


#: persona -> (task, scripted model, what its reply fills, its stop reason)
CASES: dict[str, tuple[str, Any, set[str], str]] = {
    "tutor": (SOFTMAX, lambda: Gateway(ScriptedBackend([])), {"text", "steps", "grounding"}, "completed"),
    "prompt-engineer": (
        "Improve: why did Rome fall?",
        lambda: scripted([{"pattern": "prompt engineer", "response": "REWRITTEN PROMPT:\nAs a historian..."}])[0],
        {"text", "steps", "usage", "context"},
        "completed",
    ),
    "coder": (
        CODE_TASK,
        lambda: scripted([{"pattern": CODER, "response": REVERSE}])[0],
        {"text", "steps", "usage", "context"},
        "done",
    ),
    "evaluator": (
        HAIKU,
        lambda: scripted([{"pattern": EVALUATOR, "response": "SCORE: 9\nREASONS:\n- vivid"}])[0],
        {"text", "steps", "usage", "context"},
        "completed",
    ),
    "evaluator-grounded": (
        CHECKABLE,
        lambda: judge_gateway(10),
        {"text", "steps", "grounding", "context"},
        "completed",
    ),
}


@needs_bwrap
@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("case", list(CASES))
async def test_a_turn_fills_the_same_reply_fields(case: str, framework: str) -> None:
    task, gateway, fields, stop = CASES[case]
    persona = case.removesuffix("-grounded")
    reply = await run_agent(persona, task, gateway(), framework=framework)  # type: ignore[arg-type]
    assert (reply.persona, reply.framework) == (persona, framework)
    assert filled(reply) == fields and reply.stop_reason == stop


@needs_bwrap
async def test_the_coder_runs_reads_and_fixes_its_code_in_the_sandbox_on_both() -> None:
    replies, backends = {}, {}
    for framework in FRAMEWORKS:
        gateway, backends[framework] = scripted([{"pattern": CODER, "responses": [BROKEN, REVERSE]}])
        log = EventLog()
        replies[framework] = await run_agent("coder", CODE_TASK, gateway, framework=framework, on_event=log)  # type: ignore[arg-type]
        executions = [d for k, d in log.events if k == "execution"]
        assert [d["exit_code"] for d in executions] == [1, 0] and executions[-1]["output"] == "olleh\n", framework
    crewai, autogen = replies["crewai"], replies["autogen"]
    program = "def reverse(s):\n    return s[::-1]\n\nprint(reverse('hello'))"
    assert crewai.text == autogen.text == f"```python\n{program}\n```\n\nOutput (exit code 0):\nolleh"
    run = [("message", "coder"), ("code", "coder"), ("execution", "executor"), ("message", "executor")]
    assert coder_steps(crewai) == coder_steps(autogen) == run + run
    for framework, reply in replies.items():
        failed, passed = [s.content for s in reply.steps if s.kind == "execution"]
        assert failed.startswith("exit code 1\nThe script ran, then exited with an error (POSIX exit code: 1)")
        assert "AttributeError" in failed
        assert passed == "exit code 0\nolleh\n" and reply.stop_reason == "done" and len(reply.usage) == 2
        assert "AttributeError" in backends[framework].prompts[1], f"the {framework} coder never saw the error"


@needs_bwrap
async def test_a_coder_stopped_by_its_cap_still_has_its_final_program_run() -> None:
    replies = {}
    for framework in FRAMEWORKS:
        gateway, _ = scripted([{"pattern": CODER, "response": SILENT}])
        coder = get_persona("coder").model_copy(update={"max_iterations": 2, "framework": framework})
        replies[framework] = await run_turn(coder, CODE_TASK, gateway)
    for reply in replies.values():
        assert reply.stop_reason == "max_messages" and reply.steps[-2].kind == "execution"
        assert reply.steps[-1].content.startswith("The script ran but produced no output")
        assert reply.text.endswith("Output (exit code 0):\n" + reply.steps[-1].content.rstrip())
    assert coder_steps(replies["crewai"]) == coder_steps(replies["autogen"])


@needs_bwrap
async def test_done_counts_only_once_something_has_run() -> None:
    replies = {}
    for framework in FRAMEWORKS:
        rule = {"pattern": CODER, "responses": ["I will say DONE when it works.", SILENT, "It works. DONE"]}
        gateway, _ = scripted([rule])
        replies[framework] = await run_agent("coder", CODE_TASK, gateway, framework=framework)  # type: ignore[arg-type]
    crewai, autogen = replies["crewai"], replies["autogen"]
    assert crewai.stop_reason == autogen.stop_reason == "done" and len(crewai.usage) == len(autogen.usage) == 3
    assert crewai.text == autogen.text and crewai.text.endswith("It works. DONE")
    assert [s.kind for s in crewai.steps if s.kind in ("code", "execution")] == ["code", "execution"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_turn_offers_the_shortlisted_tools(framework: str) -> None:
    gateway, backend = scripted(
        [{"pattern": ".", "response": "Softmax turns scores into probabilities that sum to one."}],
        capabilities=["completion", "tools"],
    )
    await run_agent("tutor", SOFTMAX, gateway, framework=framework)  # type: ignore[arg-type]
    offered = set(re.findall(r"\bconcept_[a-z0-9_]+", backend.prompts[0]))
    assert offered == {s.name for s in shortlist_specs(["all"], SOFTMAX)} == {"concept_softmax"}


@pytest.mark.parametrize(
    ("written", "reasons"),
    [
        ("7/10\nClear imagery, weak season word.", "Clear imagery, weak season word."),
        ("Score: 7\nREASONS:\n- clear imagery", "- clear imagery"),
        ("Score 7 out of 10: clear imagery.", "clear imagery."),
        ('{"score": 7, "reasons": ["clear imagery"]}', "- clear imagery"),
        ("**SCORE:** 14/20\n**Reasons:**\n- clear imagery", "- clear imagery"),
    ],
)
async def test_scores_are_parsed_identically(written: str, reasons: str) -> None:
    texts = []
    for framework in FRAMEWORKS:
        gateway, _ = scripted([{"pattern": EVALUATOR, "response": written}])
        reply = await run_agent("evaluator", HAIKU, gateway, framework=framework)  # type: ignore[arg-type]
        assert reply.stop_reason == "completed" and len(reply.usage) == 1, framework
        texts.append(reply.text)
    assert texts[0] == texts[1] == render_grade(7, reasons)
    assert parse_score(texts[0]) == 7.0 and parse_reasons(texts[0]) == reasons


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_an_evaluator_that_forgets_the_format_is_asked_once_more(framework: str) -> None:
    rule = {"pattern": EVALUATOR, "responses": ["Looks fine to me.", "SCORE: 6\nREASONS:\n- works"]}
    gateway, backend = scripted([rule])
    reply = await run_agent("evaluator", "Grade this answer: 42", gateway, framework=framework)  # type: ignore[arg-type]
    assert reply.text == "SCORE: 6\nREASONS:\n- works" and reply.stop_reason == "completed"
    assert len(reply.usage) == 2 and FORMAT_NUDGE in backend.prompts[-1] and "Looks fine to me." in backend.prompts[-1]


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_an_evaluator_that_never_scores_stops_as_no_score(framework: str) -> None:
    gateway, _ = scripted([{"pattern": EVALUATOR, "response": "Looks fine to me."}])
    reply = await run_agent("evaluator", "Grade this answer: 42", gateway, framework=framework)  # type: ignore[arg-type]
    assert (reply.text, reply.stop_reason, len(reply.usage)) == ("Looks fine to me.", "no_score", 2)
