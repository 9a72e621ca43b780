"""A whole persona run (Crew kickoff, tools, events) opens no outbound connection."""

from __future__ import annotations

from tests.agents.test_offline import run_guarded


def test_a_crew_run_reaches_no_network() -> None:
    result = run_guarded(
        """
        import asyncio
        import agents
        from agents.crewai_adapter import run_persona_crewai
        from agents.llm import Gateway
        from agents.llm.backends.scripted import ScriptedBackend
        from agents.personas import get_persona
        rules = [
            {"pattern": "Observation:", "response": "Thought: done\\nFinal Answer: 0.659"},
            {"pattern": ".", "response": 'Action: concept_softmax\\nAction Input: {"logits": [2, 1, 0.1]}'},
        ]
        gateway = Gateway(ScriptedBackend(rules))
        reply = asyncio.run(run_persona_crewai(get_persona("tutor"), "Explain softmax", gateway))
        print("REPLY", reply.stop_reason, reply.text)
        """
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "REPLY completed 0.659" in result.stdout
    assert "ATTEMPTS []" in result.stdout, result.stdout


def test_importing_the_adapter_package_does_not_import_crewai() -> None:
    result = run_guarded(
        """
        import sys
        from agents.crewai_adapter import AgentRunError
        print("LOADED", "crewai" in sys.modules)
        from agents.crewai_adapter import run_persona_crewai
        print("LAZY", "crewai" in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "LOADED False" in result.stdout and "LAZY True" in result.stdout
