"""The course's prompt techniques, each applicable by rule, and how a prompt meets a test input.

A prompt search asks the prompt-engineer to apply a named technique; when its reply gives no
usable prompt (a small model often echoes its instructions), the technique is applied by the
rule below instead, so every variant still applies exactly the technique it is named for.
"""

from __future__ import annotations

import re

#: The seven techniques of the course, in its order (`agents.personas.PROMPT_TRICKS`).
TECHNIQUES: tuple[str, ...] = (
    "descriptive",
    "examples",
    "structured text",
    "chain of thought",
    "persona",
    "flipped approach",
    "reflect-review-refine",
)
_MARKERS = re.compile(r"^\s*(?:<<<|>>>|```\w*|(?:rewritten\s+)?prompt\s*:)\s*$", re.IGNORECASE)


def apply_technique(prompt: str, technique: str) -> str:
    """`prompt` with `technique` applied by rule (ValueError for a technique the course does not name)."""
    body = prompt.strip()
    if technique == "descriptive":
        return f"{body}\n\nBe specific: answer directly and completely, in plain words, in at most five sentences."
    if technique == "examples":
        return (
            f"{body}\n\nFor example, a question and a good answer in the expected form:\n"
            "Question: What is the capital of France?\nAnswer: Paris."
        )
    if technique == "structured text":
        return f"### Task\n{body}\n\n### Output format\nThe answer first, on one line; then up to three bullet points."
    if technique == "chain of thought":
        return f"{body}\n\nThink step by step, then give the final answer on its own last line as 'Answer: ...'."
    if technique == "persona":
        return f"You are an expert teacher who answers precisely and checks every fact.\n\n{body}"
    if technique == "flipped approach":
        return f"{body}\n\nIf something you need to answer well is missing, first ask for it; otherwise answer."
    if technique == "reflect-review-refine":
        return f"{body}\n\nWrite a draft answer, review it for mistakes, then give only the refined final answer."
    raise ValueError(f"unknown technique {technique!r}; the course's are: {', '.join(TECHNIQUES)}")


def with_input(prompt: str, test_input: str) -> str:
    """The prompt applied to one test input: into its {input} slot, else after it."""
    if not test_input:
        return prompt
    if "{input}" in prompt:
        return prompt.replace("{input}", test_input)
    return f"{prompt}\n\n{test_input}"


def strip_markers(text: str) -> str:
    """A prompt the model wrote, without the delimiters and labels its task put around the prompt."""
    lines = [ln for ln in text.strip().splitlines() if not _MARKERS.match(ln)]
    return "\n".join(lines).strip().strip("`").strip()


def listed_lines(text: str, limit: int) -> list[str]:
    """Up to `limit` distinct non-empty lines, list markers removed ("1. ", "- ")."""
    found: list[str] = []
    for raw in text.splitlines():
        line = re.sub(r"^\s*(?:\d+[.)]|[-*•])\s+", "", raw).strip().strip('"').strip()
        if line and not _MARKERS.match(line) and line not in found:
            found.append(line)
    return found[:limit]


def matches_expected(output: str, expected: str) -> bool:
    """The output gives the expected answer: its final answer (or, for text, some phrase of it) equals it once
    normalised, the way the strategies compare answers (`tools.evals.answers`)."""
    from tools.evals.answers import canonical_number, extract_answer, normalize_answer

    numeric = canonical_number(expected.strip()) is not None
    want = normalize_answer(expected, numeric=numeric)
    found = extract_answer(output, numeric=numeric)
    if found is not None and normalize_answer(found, numeric=numeric) == want:
        return True
    if numeric or not want:
        return False
    said = " ".join(normalize_answer(output).split())
    return re.search(rf"(?<!\w){re.escape(want)}(?!\w)", said) is not None


__all__ = ["TECHNIQUES", "apply_technique", "listed_lines", "matches_expected", "strip_markers", "with_input"]
