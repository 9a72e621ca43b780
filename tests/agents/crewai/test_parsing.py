"""Parsers for free model text, and the concept tools generated for CrewAI."""

from __future__ import annotations

from agents.crewai_adapter.parsing import (
    TRICK_NAMES,
    overlap_score,
    parse_pair_scores,
    parse_questions,
    parse_rewritten_prompt,
    parse_tricks,
)
from agents.crewai_adapter.tools import concept_tool_class, concept_tools


def test_pair_scores_are_fractions_of_the_one_parsers_scores() -> None:
    assert parse_pair_scores("SCORE A: 5\nSCORE B: 9/10\nBETTER: b") == (0.5, 0.9, "B")
    assert parse_pair_scores("**Score A:** 3/5, score B 14") == (0.6, 1.0, None)
    assert parse_pair_scores("A is better") == (None, None, None)


def test_overlap_is_the_share_of_reference_terms() -> None:
    assert overlap_score("the softmax overflow", "softmax avoids overflow") == round(2 / 3, 3)
    assert overlap_score("", "softmax") == 0.0


def test_tricks_use_canonical_names_from_the_tricks_section() -> None:
    text = "REWRITTEN PROMPT: think step by step\nTRICKS:\n- Chain-of-thought: reasoning\n- reflect review refine"
    assert [t["trick"] for t in parse_tricks(text)] == ["chain of thought", "reflect-review-refine"]
    assert len(TRICK_NAMES) == 7
    assert parse_rewritten_prompt(text) == "think step by step"
    assert parse_rewritten_prompt("no markers here") is None


def test_questions() -> None:
    assert parse_questions("Q1: What?\n**Q2.** Why?\nq3) How?\nQ1: again") == {1: "What?", 2: "Why?", 3: "How?"}


def test_tools_are_generated_per_concept_with_their_input_model() -> None:
    tools = concept_tools(["all"])
    assert len(tools) == len({t.name for t in tools}) >= 30
    softmax = next(t for t in tools if t.name == "concept_softmax")
    assert type(softmax) is concept_tool_class(softmax.spec) and type(softmax).__name__ == "SoftmaxTool"  # type: ignore[attr-defined]
    assert softmax.args_schema.__name__ == "SoftmaxInput"
    assert '"probs"' in softmax.run(logits=[1.0, 2.0])


def test_template_echoes_are_not_taken_as_questions() -> None:
    from agents.crewai_adapter.parsing import parse_questions

    text = "Q1: <question>, Q2: <question>, and so on.\nQ2: How does top-p differ from top-k?\nQ3: Why?"
    assert parse_questions(text) == {2: "How does top-p differ from top-k?", 3: "Why?"}
