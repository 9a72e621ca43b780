"""Prompt engineering as the notes list it (seven tricks) and chain-of-thought prompting (Wei; Kojima).

Pure: these build the prompts side by side and read answers from replies; `agents.prompt_concepts`
sends them to the active model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from tools.concepts._util import ConceptInput
from tools.concepts.base import Concept, QuizItem
from tools.course.errata import Erratum

Technique = Literal["descriptive", "examples", "structured", "chain_of_thought", "persona", "flipped", "reflect"]
TECHNIQUES: tuple[Technique, ...] = (
    "descriptive",
    "examples",
    "structured",
    "chain_of_thought",
    "persona",
    "flipped",
    "reflect",
)


@dataclass(frozen=True)
class PromptPair:
    """One trick: the same task asked plainly and with the technique, plus what to look for in the reply."""

    technique: Technique
    trick: str
    without: str
    with_technique: str
    system: str | None
    follow_up: str | None
    look_for: str

    def check(self, reply: str) -> bool:
        """Whether a reply shows the technique's intended effect (the `look_for` pattern)."""
        return re.search(self.look_for, reply, re.IGNORECASE | re.MULTILINE) is not None


ROGER = (
    "Roger has 5 tennis balls. He buys 2 more cans of tennis balls. Each can has 3 tennis balls. "
    "How many tennis balls does he have now?"
)
CAFETERIA = (
    "The cafeteria had 23 apples. If they used 20 to make lunch and bought 6 more, how many apples do they have?"
)
ROGER_COT = "Roger started with 5 balls. 2 cans of 3 tennis balls each is 6 tennis balls. 5 + 6 = 11. The answer is 11."
KOJIMA_TRIGGER = "Let's think step by step."
KOJIMA_EXTRACT = "Therefore, the answer (arabic numerals) is"


def prompt_pair(technique: Technique) -> PromptPair:
    """The notes' seven tricks (lines 1630-1644), each as a plain prompt and the same task with the trick."""
    if technique == "descriptive":
        return PromptPair(
            technique, "Trick 1: Be Descriptive (More is better)",
            "Write a product description for a water bottle.",
            "Write a 3-sentence product description for a 750 ml stainless-steel water bottle that keeps drinks "
            "cold for 24 hours, aimed at hikers, in a friendly tone, mentioning the weight of 340 g.",
            None, None, r"\b(750|24|340|hik)",
        )  # fmt: skip
    if technique == "examples":
        return PromptPair(
            technique, "Trick 2: Give Examples",
            "Classify the sentiment of: 'The battery died after an hour.'",
            "Review: 'I love this phone.' Sentiment: positive\nReview: 'The screen cracked on day one.' Sentiment: "
            "negative\nReview: 'Fast delivery, works great.' Sentiment: positive\n"
            "Review: 'The battery died after an hour.' Sentiment:",
            None, None, r"^\W*(positive|negative)\b",
        )  # fmt: skip
    if technique == "structured":
        return PromptPair(
            technique, "Trick 3: Use Structured Text",
            "Give me a recipe for chocolate chip cookies.",
            "Create a well-organized recipe for chocolate chip cookies. Use the following formatting elements:\n"
            "**Title**: Classic Chocolate Chip Cookies\n**Ingredients**: List the ingredients with precise "
            "measurements.\n**Instructions**: Provide step-by-step instructions in numbered format.\n"
            "**Tips**: Include a separate section with helpful baking tips.",
            None, None, r"(ingredients|instructions|tips)",
        )  # fmt: skip
    if technique == "chain_of_thought":
        return PromptPair(
            technique, "Trick 4: Chain of Thought",
            f"Q: {CAFETERIA}\nA: The answer is",
            f"Q: {CAFETERIA}\nA: {KOJIMA_TRIGGER}",
            None, None, r"\b9\b",
        )  # fmt: skip
    if technique == "persona":
        return PromptPair(
            technique, "Trick 5: Chatbot Personas",
            "Explain what a neural network is.",
            "Explain what a neural network is.",
            "You are a patient primary-school teacher. Explain ideas to a 10-year-old with one everyday analogy.",
            None, r"(like|imagine|think of)",
        )  # fmt: skip
    if technique == "flipped":
        return PromptPair(
            technique, "Trick 6: Flipped Approach",
            "Write me a study plan for learning machine learning.",
            "I want a study plan for learning machine learning. Before writing it, ask me questions, one at a time, "
            "about my background and goals until you have what you need. Ask your first question now.",
            None, None, r"\?",
        )  # fmt: skip
    return PromptPair(
        technique, "Trick 7: Reflect, Review, and Refine",
        "What is 17 × 24?",
        "What is 17 × 24?",
        None,
        "Review your previous answer step by step, say whether it is correct, and give a refined final answer.",
        r"\b408\b",
    )  # fmt: skip


_ANSWER_IS = re.compile(r"answer(?: \(arabic numerals\))? is[:\s]*\$?(-?[\d,]*\.?\d+)", re.IGNORECASE)
_NUMBER = re.compile(r"-?\d[\d,]*\.?\d*")


def extract_answer(completion: str) -> str | None:
    """The final number of a reasoning chain: after the last 'the answer is', else the last number."""
    found = _ANSWER_IS.findall(completion)
    if found:
        return found[-1].replace(",", "")
    numbers = _NUMBER.findall(completion)
    return numbers[-1].replace(",", "").rstrip(".") if numbers else None


# --------------------------------------------------------------------------- prompt patterns


class PromptPatternsInput(ConceptInput):
    techniques: list[Technique] = Field(default_factory=lambda: list(TECHNIQUES), min_length=1, max_length=7)
    replies: dict[str, list[str]] = Field(
        default={}, description="technique -> [reply without, reply with], to check each reply"
    )


def run_prompt_patterns(inp: PromptPatternsInput) -> dict[str, object]:
    """Each trick's prompts side by side; given replies, whether each shows the intended effect."""
    rows = []
    for technique in dict.fromkeys(inp.techniques):
        pair = prompt_pair(technique)
        row: dict[str, object] = {
            "technique": technique,
            "trick": pair.trick,
            "without": pair.without,
            "with": pair.with_technique,
            "system": pair.system,
            "follow_up": pair.follow_up,
            "look_for": pair.look_for,
        }
        given = inp.replies.get(technique)
        if given and len(given) == 2:
            row["effect"] = {"without": pair.check(given[0]), "with": pair.check(given[1])}
        rows.append(row)
    return {"pairs": rows}


PROMPT_PATTERNS = Concept(
    name="prompt_patterns",
    title="Prompt-engineering techniques: the notes' seven tricks",
    section="7 Tricks for Prompt Engineering",
    explanation=(
        "Prompt engineering programs a language model through its input instead of its weights. The notes "
        "list seven tricks. Be descriptive: name the audience, length, format and facts you want, since the "
        "model cannot read intent it is not given. Give examples: a few input-output pairs in the prompt "
        "(few-shot, in-context learning, Brown et al. 2020) fix the format and the label set. Use structured "
        "text: headings and fields make the reply follow the same structure. Chain of thought: ask for, or show, "
        "intermediate reasoning before the answer (the chain_of_thought concept). Chatbot personas: a system "
        "message that sets a role changes tone and level. Flipped approach: ask the model to ask you questions "
        "first. Reflect, review and refine: a second turn asks the model to check and improve its own answer. "
        "None of these changes the model; each changes the conditional distribution it samples from, and how "
        "much a trick helps depends on the model: small base models follow few-shot patterns and completions "
        "better than instructions. This task shows each trick's prompt with and without the technique and, "
        "given two replies, checks whether each shows the intended effect; prompt_techniques runs both "
        "prompts on the active model."
    ),
    input_model=PromptPatternsInput,
    example={
        "techniques": ["examples", "chain_of_thought"],
        "replies": {"examples": ["It is bad.", " negative"], "chain_of_thought": [" 29.", " 23 - 20 = 3. 3 + 6 = 9."]},
    },
    run=run_prompt_patterns,
    quiz=[
        QuizItem(
            question="What are the notes' seven prompt-engineering tricks?",
            answer="Be descriptive, give examples, use structured text, chain of thought, chatbot personas, "
            "the flipped approach, and reflect, review and refine.",
        ),
        QuizItem(
            question="Why does giving examples (few-shot prompting) help?",
            answer="The examples show the format and label set in context, so the model continues the pattern; "
            "no weights change (in-context learning).",
        ),
    ],
    references=[
        "Brown et al. 2020, Language Models are Few-Shot Learners, §2",
        "White et al. 2023, A Prompt Pattern Catalog (flipped interaction, persona)",
        "Wei et al. 2022; Kojima et al. 2022 (chain of thought)",
    ],
)

# --------------------------------------------------------------------------- chain of thought

CotMode = Literal["standard", "few_shot_cot", "zero_shot_cot"]


class ChainOfThoughtInput(ConceptInput):
    question: str = Field(min_length=1, max_length=2000)
    mode: CotMode = "few_shot_cot"
    completion: str | None = Field(default=None, max_length=20_000, description="a model's reply, to read the answer")


def cot_prompt(question: str, mode: CotMode) -> str:
    """Standard few-shot, few-shot with reasoning in the exemplar's answer (Wei), or the zero-shot trigger (Kojima)."""
    if mode == "standard":
        return f"Q: {ROGER}\nA: The answer is 11.\n\nQ: {question}\nA:"
    if mode == "few_shot_cot":
        return f"Q: {ROGER}\nA: {ROGER_COT}\n\nQ: {question}\nA:"
    return f"Q: {question}\nA: {KOJIMA_TRIGGER}"


#: Reported solve rates on GSM8K (%), to show the size of the effect; from the papers' tables.
REPORTED = {
    "wei_palm_540b_gsm8k": {"standard": 17.9, "chain_of_thought": 56.9},
    "kojima_text_davinci_002_multiarith": {"zero_shot": 17.7, "zero_shot_cot": 78.7},
    "kojima_text_davinci_002_gsm8k": {"zero_shot": 10.4, "zero_shot_cot": 40.7},
}


def run_chain_of_thought(inp: ChainOfThoughtInput) -> dict[str, object]:
    """The prompt for the mode, Kojima's second (answer-extraction) prompt, and the answer read from a reply."""
    prompt = cot_prompt(inp.question, inp.mode)
    out: dict[str, object] = {"prompt": prompt, "mode": inp.mode}
    if inp.mode == "zero_shot_cot":
        reasoning = inp.completion or "<the model's reasoning>"
        out["answer_extraction_prompt"] = f"{prompt} {reasoning}\n{KOJIMA_EXTRACT}"
    if inp.completion is not None:
        out["answer"] = extract_answer(inp.completion)
    out["reported_gains_points"] = {
        name: round(max(rates.values()) - min(rates.values()), 1) for name, rates in REPORTED.items()
    }
    return out


CHAIN_OF_THOUGHT = Concept(
    name="chain_of_thought",
    title="Chain-of-thought prompting (Wei et al. 2022; Kojima et al. 2022)",
    section="Chain of thought(CoT)",
    explanation=(
        "Chain-of-thought prompting gets a model to write intermediate reasoning steps before its final "
        "answer. Wei et al. (2022) do it with few-shot exemplars whose answers contain the reasoning: instead "
        "of 'A: The answer is 11.' the exemplar says 'Roger started with 5 balls. 2 cans of 3 tennis balls each "
        "is 6 tennis balls. 5 + 6 = 11. The answer is 11.' The model then writes its own chain for the new "
        "question; the prompt never contains that question's steps or answer. With PaLM 540B this lifted "
        "GSM8K from 17.9% to 56.9%, but the gain appeared only at around 100B parameters: smaller models "
        "wrote fluent but wrong chains and often did worse. Kojima et al. (2022) found a zero-shot version: "
        "append 'Let's think step by step.' after the question, let the model reason, then ask again with "
        "'Therefore, the answer (arabic numerals) is' to extract the answer; text-davinci-002 went from 17.7% "
        "to 78.7% on MultiArith. Self-consistency samples many chains and votes. This task builds the standard, "
        "few-shot CoT and zero-shot CoT prompts for a question and reads the final number from a reply."
    ),
    input_model=ChainOfThoughtInput,
    example={
        "question": CAFETERIA,
        "mode": "few_shot_cot",
        "completion": " They used 20, so 23 - 20 = 3. They bought 6 more, so 3 + 6 = 9. The answer is 9.",
    },
    run=run_chain_of_thought,
    quiz=[
        QuizItem(
            question="What is Kojima et al.'s zero-shot chain-of-thought trigger?",
            answer="Appending 'Let's think step by step.' after the question (then a second prompt extracts the "
            "answer).",
        ),
        QuizItem(
            question="In few-shot CoT, where do the reasoning steps in the prompt come from?",
            answer="From the exemplars' answers only; the model writes the reasoning for the new question itself.",
        ),
        QuizItem(
            question="Does chain-of-thought prompting help small models?",
            answer="Wei et al. found gains only at large scale (about 100B parameters); smaller models gained "
            "little or got worse.",
        ),
    ],
    references=[
        "Wei et al. 2022, Chain-of-Thought Prompting Elicits Reasoning in Large Language Models",
        "Kojima et al. 2022, Large Language Models are Zero-Shot Reasoners",
        "Wang et al. 2022, Self-Consistency",
    ],
    errata=[
        Erratum(
            "1700-1711/1716-1727",
            "wrong",
            "The CoT code in the notes builds 'prompt_with_cot' by appending ready-made reasoning steps to the "
            "question, in the second example including the answer itself ('Neil Armstrong was the first person')",
            "chain-of-thought prompting puts reasoning only in few-shot exemplars for other questions (Wei) or "
            "appends a trigger such as Let's think step by step. (Kojima); the model must produce the steps and the "
            "answer for the question asked",
            "Wei et al. 2022, §2 and Figure 1; Kojima et al. 2022, §3",
        ),
        Erratum(
            "1719-1723",
            "wrong",
            "The second 'cot_steps' list is meant to hold three steps",
            "a comma is missing after the string on line 1721, so Python joins it with the next one: the list has "
            "2 elements, the second reading ...during that mission.Based on historical records...",
            "Python language reference, string literal concatenation (run on the notes' code)",
        ),
    ],
)

CONCEPTS = [PROMPT_PATTERNS, CHAIN_OF_THOUGHT]
