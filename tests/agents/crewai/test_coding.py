"""The coder on CrewAI: rounds of one-task crews with the bwrap sandbox run between them."""

from __future__ import annotations

from agents.crewai_adapter.coding import code_persona_crewai
from agents.personas import get_persona
from tests.agents.autogen.conftest import needs_bwrap

from .conftest import EventLog, scripted

CODER = "Python developer"
TASK = "Print the answer to six times seven"


@needs_bwrap
async def test_a_reply_without_code_is_asked_for_code_and_done_counts_after_a_run(event_log: EventLog) -> None:
    silent = "```python\nanswer = 6 * 7\n```"
    rule = {"pattern": CODER, "responses": ["I will say DONE when it works.", silent, "It works. DONE"]}
    gateway, backend = scripted([rule])
    reply = await code_persona_crewai(get_persona("coder"), TASK, gateway, on_event=event_log)
    assert reply.stop_reason == "done" and len(reply.usage) == 3
    assert "no Python code to run" in backend.prompts[1] and "produced no output" in backend.prompts[2]
    assert reply.text.startswith("```python\nanswer = 6 * 7\n```\n\nOutput (exit code 0):\nThe script ran but")
    assert reply.text.endswith("It works. DONE") and event_log.kinds().count("execution") == 1


@needs_bwrap
async def test_a_clean_run_ends_the_turn_without_another_model_call() -> None:
    gateway, backend = scripted([{"pattern": CODER, "response": "```python\nprint(6 * 7)\n```"}])
    reply = await code_persona_crewai(get_persona("coder"), TASK, gateway)
    assert reply.stop_reason == "done" and reply.text.endswith("Output (exit code 0):\n42")
    assert len(backend.prompts) == 1 and reply.context is not None


@needs_bwrap
async def test_the_round_cap_stops_a_coder_whose_code_never_works() -> None:
    coder = get_persona("coder").model_copy(update={"max_iterations": 3})
    gateway, backend = scripted([{"pattern": CODER, "response": "```python\nraise SystemExit(3)\n```"}])
    reply = await code_persona_crewai(coder, TASK, gateway)
    assert reply.stop_reason == "max_messages" and len(backend.prompts) == 3
    assert [s.content.split("\n")[0] for s in reply.steps if s.kind == "execution"] == ["exit code 3"] * 3
    assert "POSIX exit code: 3" in backend.prompts[2]


async def test_a_slow_model_stops_the_turn_at_its_time_budget() -> None:
    coder = get_persona("coder").model_copy(update={"timeout_s": 1.0})
    gateway, _ = scripted([{"pattern": CODER, "response": "word " * 50, "delay_s": 0.2}])
    reply = await code_persona_crewai(coder, TASK, gateway)
    assert reply.stop_reason == "timeout" and not any(s.kind == "execution" for s in reply.steps)
