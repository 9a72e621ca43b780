"""Tasks: what a strategy solves, how ToT prompts and scores it, and how an answer is checked.

A task is rebuilt from its `TaskSpec` (name + JSON params) so a checkpointed ToT state can be
resumed. Partial solutions ("states") are newline-terminated step lines, as in the ToT repo.
Two checks differ on purpose: `check` needs no ground truth and may steer the search
(Game of 24 can check itself exactly), `verify` compares with the reference answer and is
only used to score the final answer.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from agents.evals.suites import game24_rows, gsm8k_rows
from tools.evals.gsm8k import gsm8k_correct, gsm8k_reference

from .answers import extract_answer, normalize_answer
from .game24 import (
    InvalidStep,
    answer_problem,
    check_step,
    expression_from_steps,
    get_current_numbers,
    numbers_after,
    verify_24,
)
from .game24_moves import next_steps

VERDICTS: dict[str, float] = {"impossible": 0.001, "likely": 1.0, "sure": 20.0}  # the ToT repo's map
_VOTE = re.compile(r"best choice is\s*\D{0,3}(\d+)", re.IGNORECASE)
_SCALE = re.compile(r"^\s*(?:rating|score|value)?\s*[:=]?\s*(10|[1-9])(?:\s*/\s*10)?\s*$", re.IGNORECASE)
_ENUM = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s+")
_EXPRESSION = re.compile(r"[(\d][\d\s()+\-*/×÷]*[-+*/×÷][\d\s()+\-*/×÷]*\d\)*(?:\s*=\s*24)?")


def _shown(state: str) -> str:
    return state or "(none)\n"


class TaskSpec(BaseModel):
    """JSON handle of a task: get_task(spec.name, **spec.params) rebuilds it."""

    name: str
    params: dict[str, Any] = Field(default_factory=dict)


def first_verdict(output: str) -> str | None:
    """The first line that is exactly a verdict word.

    The ToT repo reads the LAST line; for chat models (which stop after the verdict) that is
    the same line, while a base model often goes on to invent the next few-shot example.
    """
    for line in output.split("\n"):
        word = line.strip().strip("*.`'\"").lower()
        if word in VERDICTS:
            return word
    return None


def verdict_value(verdicts: list[str]) -> float:
    """sum(value * count) over the verdict map, as the ToT repo sums: the order of verdicts cannot matter."""
    return sum(value * verdicts.count(name) for name, value in VERDICTS.items())


def vote_counts(outputs: list[str], n_choices: int) -> list[float]:
    """ToT vote unwrap: 'The best choice is {s}' (1-based) counted per choice."""
    counts = [0.0] * n_choices
    for output in outputs:
        found = _VOTE.findall(output)
        if found and 1 <= int(found[-1]) <= n_choices:
            counts[int(found[-1]) - 1] += 1
    return counts


class Task:
    """Base task. Subclasses override prompts and checks; every state is a string."""

    name: ClassVar[str] = "task"
    numeric: ClassVar[bool] = False
    default_depth: ClassVar[int] = 3
    propose_stop: ClassVar[list[str] | None] = None
    #: Whether `step_problem` can reject a proposed step exactly (ToT prunes those unvalued).
    verifies_steps: ClassVar[bool] = False
    #: Whether `legal_steps` lists every legal next step (ToT's "choice" mode needs it).
    lists_steps: ClassVar[bool] = False

    def __init__(self, question: str, params: dict[str, Any]) -> None:
        self.question = question
        self.params = params

    @property
    def spec(self) -> TaskSpec:
        return TaskSpec(name=self.name, params=self.params)

    # -- single-call strategies -------------------------------------------------
    def direct_prompt(self) -> str:
        return f"{self.question}\nReply with the final answer only, on one line: 'Answer: <answer>'."

    def cot_prompt(self) -> str:
        return (
            f"{self.question}\nLet's think step by step, then give the final answer on its own last line "
            "as 'Answer: <answer>'."
        )

    def extract(self, text: str, parsed: Any = None) -> str | None:
        return extract_answer(text, numeric=self.numeric, parsed=parsed)

    # -- ToT: generate ----------------------------------------------------------
    def propose_prompt(self, state: str, k: int) -> str:
        return (
            f"Problem: {self.question}\nSteps so far:\n{_shown(state)}"
            f"Propose up to {k} different possible next steps, one per line. When a step finishes the "
            "problem, write it as 'Answer: <answer>'.\nPossible next steps:\n"
        )

    def parse_proposals(self, state: str, output: str, k: int) -> list[str]:
        """Non-empty lines, list markers removed, until the model starts a new problem."""
        lines: list[str] = []
        for raw in output.split("\n"):
            if raw.strip().lower().startswith(("problem:", "steps so far")):
                break
            line = _ENUM.sub("", raw).strip()
            if line:
                lines.append(line)
        return lines[:k]

    def sample_prompt(self, state: str) -> str:
        return f"Problem: {self.question}\nSteps so far:\n{_shown(state)}Next step (one line):\n"

    def step_problem(self, state: str, step: str) -> str | None:
        """Why `step` cannot follow `state` under the task's rules; None = valid or cannot tell."""
        return None

    def legal_steps(self, state: str) -> list[str]:
        """Every legal next step after `state`, exactly computed (only where `lists_steps`)."""
        return []

    def parse_sample(self, state: str, output: str) -> str | None:
        line = next((ln.strip() for ln in output.split("\n") if ln.strip()), "")
        return _ENUM.sub("", line) or None

    # -- ToT: evaluate ----------------------------------------------------------
    def value_prompt(self, state: str) -> str:
        scale = self.params.get("rating", "verdict") == "scale"
        ask = (
            "Rate from 1 (hopeless) to 10 (certainly leads to the correct answer) how promising these steps "
            "are; reply with the number alone on the last line."
            if scale
            else "Judge whether these steps can still reach a correct answer. End with one word on its own "
            "line: sure, likely or impossible."
        )
        return f"Problem: {self.question}\nSteps so far:\n{state}{ask}\n"

    def static_value(self, state: str) -> float | None:
        """A value known without asking the model (None = ask)."""
        return None

    def exact_verdict(self, state: str) -> str | None:
        """The verdict the task's verifier knows for `state` with certainty (None = ask the model)."""
        return None

    def verdict_names(self, state: str) -> list[str] | None:
        """The verdict words the value prompt for `state` asks for (None: it asks for a rating)."""
        return None if self.params.get("rating", "verdict") == "scale" else list(reversed(VERDICTS))

    def value_reasons(self, state: str) -> bool:
        """Whether the value prompt for `state` expects reasoning before the verdict."""
        return True

    def value_unwrap(self, state: str, outputs: list[str]) -> tuple[float, list[str]]:
        """Summed verdicts (by count) plus any 1-10 ratings, and the raw verdicts."""
        ratings: list[float] = []
        verdicts: list[str] = []
        for output in outputs:
            verdict = first_verdict(output)
            if verdict is None:
                rating = next((m.group(1) for ln in output.split("\n") if (m := _SCALE.match(ln))), None)
                ratings.append(float(rating) if rating else 0.0)
                verdict = rating or "?"
            verdicts.append(verdict)
        return verdict_value(verdicts) + sum(ratings), verdicts

    def vote_prompt(self, states: list[str]) -> str:
        choices = "".join(f"Choice {i}:\n{s or '(no steps yet)'}\n" for i, s in enumerate(states, 1))
        return (
            f"Given a problem and several partial solutions, decide which choice is most promising. "
            f'Analyze each choice briefly, then conclude in the last line "The best choice is {{s}}", where s '
            f"is the integer id of the choice.\nProblem: {self.question}\n{choices}"
        )

    # -- ToT: finish ------------------------------------------------------------
    def is_terminal(self, state: str) -> bool:
        return bool(re.search(r"^\s*answer\s*:", state, re.IGNORECASE | re.MULTILINE))

    def answer_from_state(self, state: str) -> str | None:
        found = self.extract(state)
        if found is not None:
            return found
        lines = [ln for ln in state.strip().split("\n") if ln.strip()]
        return lines[-1].strip() if lines else None

    def check(self, state: str) -> bool | None:
        """Ground-truth-free self-check a search may use; None = cannot tell."""
        return None

    def check_answer(self, answer: str | None) -> bool | None:
        """Ground-truth-free check of a final answer (a vote may prefer those); None = cannot tell."""
        return None

    def verify(self, answer: str | None) -> bool | None:
        """Compare with the reference answer; None = this task has none."""
        return None


class GenericTask(Task):
    """Any question: the model proposes and rates steps; nothing can be verified."""

    name = "generic"


class GSM8KTask(GenericTask):
    """A grade-school word problem with a numeric reference answer ('#### 72')."""

    name = "gsm8k"
    numeric = True

    def __init__(self, question: str, params: dict[str, Any], reference: str) -> None:
        super().__init__(question, params)
        self.reference = reference

    def verify(self, answer: str | None) -> bool | None:
        return gsm8k_correct(answer, self.reference)


class Game24Task(Task):
    """Game of 24 with the ToT paper's prompts, value map and an exact verifier."""

    name = "game24"
    numeric = False
    default_depth = 4  # three arithmetic steps, then the 'Answer:' expression (as in the paper)
    propose_stop: ClassVar[list[str] | None] = ["\nInput:"]
    verifies_steps: ClassVar[bool] = True
    lists_steps: ClassVar[bool] = True

    def direct_prompt(self) -> str:
        return game24_prompts()["standard_prompt"].format(input=self.question)

    def cot_prompt(self) -> str:
        return game24_prompts()["cot_prompt"].format(input=self.question)

    def extract(self, text: str, parsed: Any = None) -> str | None:
        """'Answer:' line, else steps that reach 24, else the first arithmetic expression.

        The fallback matters for base models behind a Q/A transcript, whose 'Answer:' is
        already in the prompt; it cannot admit a wrong solution because verify is exact.
        """
        found = extract_answer(text, parsed=parsed)
        if found is not None:
            return found
        rebuilt = expression_from_steps(self.question, text)
        if rebuilt is not None:
            return f"{rebuilt} = 24"
        return next((m.group(0).strip() for ln in text.split("\n") if (m := _EXPRESSION.search(ln))), None)

    def propose_prompt(self, state: str, k: int) -> str:
        current = get_current_numbers(state or self.question)
        if current == "24":
            return game24_prompts()["cot_prompt"].format(input=self.question) + "Steps:" + state
        return game24_prompts()["propose_prompt"].format(input=current)

    def parse_proposals(self, state: str, output: str, k: int) -> list[str]:
        """Every line that is a step '(left: ...)' or an 'Answer:' line, in order (duplicates kept, like the repo)."""
        lines: list[str] = []
        for raw in output.split("\n"):
            line = raw.strip()
            if line.lower().startswith(("input:", "steps:")) and lines:
                break
            if "left:" in line or line.lower().startswith("answer:"):
                lines.append(line)
        return lines

    def sample_prompt(self, state: str) -> str:
        return game24_prompts()["cot_prompt"].format(input=self.question) + "Steps:\n" + state

    def step_problem(self, state: str, step: str) -> str | None:
        """Exact check: an 'Answer:' must verify; a step must be right on the numbers its path leaves."""
        if step.strip().lower().startswith("answer"):
            return answer_problem(step, self.question)
        try:
            check_step(numbers_after(self.question, state), step)
        except InvalidStep as exc:
            return exc.reason
        return None

    def legal_steps(self, state: str) -> list[str]:
        """Each pair under + - * /, computed exactly; with 24 alone left, the answer its steps make."""
        return next_steps(self.question, state)

    def parse_sample(self, state: str, output: str) -> str | None:
        lines = self.parse_proposals(state, output, 1)
        return lines[0] if lines else None

    def value_prompt(self, state: str) -> str:
        last_line = state.strip().split("\n")[-1]
        if "left: " not in last_line:
            answer = last_line.lower().replace("answer: ", "")
            return game24_prompts()["value_last_step_prompt"].format(input=self.question, answer=answer)
        return game24_prompts()["value_prompt"].format(input=get_current_numbers(state))

    def static_value(self, state: str) -> float | None:
        """As in the repo: four lines without an answer are worth 0."""
        if len(state.strip().split("\n")) == 4 and "answer" not in state.lower():
            return 0.0
        return None

    def verdict_names(self, state: str) -> list[str] | None:
        """The repo's prompts teach sure/likely/impossible for steps, sure/impossible for an answer."""
        return ["sure", "likely", "impossible"] if self._is_step(state) else ["sure", "impossible"]

    def value_reasons(self, state: str) -> bool:
        """Step values reason before the verdict; the last-step prompt ('Judge:') goes straight to it."""
        return self._is_step(state)

    @staticmethod
    def _is_step(state: str) -> bool:
        return "left: " in state.strip().split("\n")[-1]

    def value_unwrap(self, state: str, outputs: list[str]) -> tuple[float, list[str]]:
        verdicts = [first_verdict(o) or "?" for o in outputs]
        return verdict_value(verdicts), verdicts

    def exact_verdict(self, state: str) -> str | None:
        """A step that leaves one number is exactly 'sure' if it is 24 and 'impossible' otherwise.

        A small model rated `12/7 + 8 = 68/7 (left: 68/7)` "sure" and a reached 24 only
        "likely"; the exact value costs no model call and cannot be wrong.
        """
        if not self._is_step(state):
            return None
        try:
            left = numbers_after(self.question, state)
        except InvalidStep:
            return None
        if len(left) != 1:
            return None
        return "sure" if left[0] == 24 else "impossible"

    def is_terminal(self, state: str) -> bool:
        last = state.strip().split("\n")[-1].lower() if state.strip() else ""
        return last.startswith("answer")

    def answer_from_state(self, state: str) -> str | None:
        """The 'Answer:' expression, else one rebuilt exactly from steps that end at 24."""
        found = extract_answer(state)
        if found is not None:
            return found
        rebuilt = expression_from_steps(self.question, state)
        return f"{rebuilt} = 24" if rebuilt else None

    def check(self, state: str) -> bool | None:
        return verify_24(self.answer_from_state(state), self.question)

    def check_answer(self, answer: str | None) -> bool | None:
        """Exact and gold-free: the puzzle alone says whether an expression makes 24."""
        return verify_24(answer, self.question)

    def verify(self, answer: str | None) -> bool | None:
        return verify_24(answer, self.question)


# --------------------------------------------------------------------------- data + registry


@cache
def game24_prompts() -> dict[str, str]:
    text = resources.files("workflows.data").joinpath("game24_prompts.json").read_text(encoding="utf-8")
    prompts: dict[str, str] = json.loads(text)
    return prompts


def game24_puzzles() -> tuple[str, ...]:
    """All puzzles of 24.csv in file order (index 900-999 is the ToT paper's test set)."""
    return game24_rows()


def gsm8k_items() -> tuple[dict[str, str], ...]:
    """The bundled GSM8K test split (1,319 items): dicts with 'question' and 'answer'."""
    return gsm8k_rows()


def get_task(name: str, **params: Any) -> Task:
    """Build a task by name.

    generic: question=..., rating='verdict'|'scale'
    game24:  puzzle='4 5 6 10' or index=900
    gsm8k:   index=0, or question=... and answer=... ('#### 72' solution or a bare number)
    """
    if name == "generic":
        if "question" not in params:
            raise ValueError("generic task needs question=...")
        return GenericTask(str(params["question"]), params)
    if name == "game24":
        if "puzzle" in params:
            puzzle = " ".join(str(params["puzzle"]).split())
        elif "index" in params:
            puzzle = game24_puzzles()[int(params["index"])]
        else:
            raise ValueError("game24 task needs puzzle='a b c d' or index=N")
        if len(puzzle.split()) != 4 or not all(p.isdigit() for p in puzzle.split()):
            raise ValueError(f"a Game of 24 puzzle is four whole numbers, got {puzzle!r}")
        return Game24Task(puzzle, params)
    if name == "gsm8k":
        if "index" in params:
            item = gsm8k_items()[int(params["index"])]
            question, solution = item["question"], item["answer"]
        elif "question" in params and "answer" in params:
            question, solution = str(params["question"]), str(params["answer"])
        else:
            raise ValueError("gsm8k task needs index=N or question=... and answer=...")
        reference = gsm8k_reference(solution) if "####" in solution else normalize_answer(solution, numeric=True)
        return GSM8KTask(question, params, reference)
    raise ValueError(f"unknown task {name!r}; known: generic, game24, gsm8k")


def task_from_spec(spec: TaskSpec) -> Task:
    return get_task(spec.name, **spec.params)


__all__ = [
    "VERDICTS",
    "GSM8KTask",
    "Game24Task",
    "GenericTask",
    "Task",
    "TaskSpec",
    "first_verdict",
    "game24_puzzles",
    "get_task",
    "gsm8k_correct",
    "gsm8k_items",
    "gsm8k_reference",
    "task_from_spec",
    "verdict_value",
    "vote_counts",
]
