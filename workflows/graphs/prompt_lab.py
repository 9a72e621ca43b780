"""`prompt_lab`: improve a prompt, by one rewrite or by a search over the course's techniques.

- strategy "rewrite" (the default): the prompt-engineer rewrites the prompt and the evaluator
  compares both prompts' answers (`agents.crewai_adapter.prompt_lab`).
- strategy "search": the prompt-engineer proposes variants, each applying one named technique,
  the model answers every variant on the test inputs (`tests`: strings or {"input", "expected"};
  none given: `task_input`, else inputs the prompt-engineer writes), the evaluator scores the
  outputs, and BFS keeps the best and refines them (`workflows.strategies.prompt_search`). The
  answer is the winning prompt, with its `score_table`; each phase is a checkpointed step.
  `engineer` (or `proposer`) and `evaluator` name the personas ("prompt-engineer@autogen"), `config` the search.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from langgraph.graph import StateGraph
from langgraph.runtime import Runtime
from pydantic import ValidationError

from workflows.context import WorkflowContext
from workflows.events import emitter, instrumented
from workflows.graphs.phased import add_search, config_field
from workflows.inputs import InvalidInput
from workflows.strategies import prompt_search as ps


class PromptLabInput(TypedDict, total=False):
    prompt: str
    task_input: str | None
    strategy: Literal["rewrite", "search"]
    tests: list[Any]
    engineer: str
    proposer: str
    evaluator: str
    config: dict[str, Any]


class PromptLabState(PromptLabInput, total=False):
    rewritten_prompt: str
    tricks_applied: list[dict[str, str]]
    original_answer: str
    rewritten_answer: str
    verdict: dict[str, Any]
    answer: str
    search: dict[str, Any]
    score_table: list[dict[str, Any]]
    usage: dict[str, Any]


def search_config(value: dict[str, Any]) -> ps.PromptSearchConfig:
    raw = dict(value.get("config") or {})
    raw.pop("kind", None)
    if value.get("proposer") and not value.get("engineer"):  # the name every workflow takes for who proposes
        raw["engineer"] = value["proposer"]
    for key in ("engineer", "evaluator"):
        if value.get(key):
            raw[key] = value[key]
    return ps.PromptSearchConfig.model_validate(raw)


def search_tests(value: dict[str, Any]) -> list[Any] | None:
    """The test inputs: `tests`, else `task_input` alone, else None (the prompt-engineer writes them)."""
    if value.get("tests"):
        return list(value["tests"])
    return [value["task_input"]] if value.get("task_input") else None


def init_search(value: dict[str, Any]) -> ps.PromptSearchState:
    return ps.init_prompt_search(str(value.get("prompt") or ""), search_tests(value), search_config(value))


def check_input(value: dict[str, Any]) -> None:
    """A search needs a prompt, readable tests and a valid config; refused before the run."""
    if (value.get("strategy") or "rewrite") != "search":
        return
    if not str(value.get("prompt") or "").strip():
        raise InvalidInput("prompt", "the prompt search needs a non-empty 'prompt'")
    try:
        search_config(value)
    except ValidationError as exc:
        raise config_field(exc, value, ("engineer", "evaluator")) from None
    try:
        ps.read_tests(value.get("tests"))
    except ValueError as exc:
        raise InvalidInput("tests", str(exc)) from None


def route(state: PromptLabState) -> str:
    return "setup" if (state.get("strategy") or "rewrite") == "search" else "improve"


@instrumented("improve")
async def improve(state: PromptLabState, runtime: Runtime[WorkflowContext]) -> dict[str, Any]:
    from agents.crewai_adapter.teams import run_prompt_lab

    prompt = (state.get("prompt") or "").strip()
    if not prompt:
        raise ValueError("the prompt_lab workflow needs a non-empty 'prompt'")
    result = await run_prompt_lab(prompt, state.get("task_input"), runtime.context.gateway, on_event=emitter("improve"))
    return {
        "rewritten_prompt": result.rewritten_prompt,
        "tricks_applied": [t.model_dump() for t in result.tricks_applied],
        "original_answer": result.original_answer,
        "rewritten_answer": result.rewritten_answer,
        "verdict": result.verdict.model_dump(),
        "answer": result.rewritten_prompt,
    }


@instrumented("setup")
async def setup(state: PromptLabState) -> dict[str, Any]:
    return {"strategy": "search", "search": init_search(dict(state)).model_dump()}


@instrumented("finish")
async def finish(state: PromptLabState) -> dict[str, Any]:
    current = ps.finish(ps.PromptSearchState.model_validate(state["search"]), emitter("finish"))
    best = current.nodes[current.best_id or ps.ROOT]
    original = current.nodes[ps.ROOT]
    better = "rewritten" if best.id != ps.ROOT else "original"
    how = {"persona": "written by the prompt-engineer", "rule": "applied by rule (the engineer's text was unusable)"}
    return {
        "search": current.model_dump(),
        "answer": best.prompt,
        "rewritten_prompt": best.prompt,
        "tricks_applied": [{"trick": t, "why": how.get(best.source, "")} for t in best.techniques],
        "verdict": {
            "better": better,
            "original_score": None if original.score is None else original.score / 10,
            "rewritten_score": None if best.score is None else best.score / 10,
            "reasons": f"mean evaluator score over {len(current.tests)} test input(s), 0-10: "
            f"{best.score} against the original's {original.score}",
            "method": "search",
        },
        "score_table": ps.score_table(current),
        "usage": current.usage.model_dump(),
    }


def build() -> StateGraph[Any, Any, Any, Any]:
    graph = StateGraph(PromptLabState, context_schema=WorkflowContext, input_schema=PromptLabInput)
    return add_search(graph, key="search", model=ps.PromptSearchState, step=ps.step, route=route,
                      plain=("improve", improve), setup=setup, finish=finish)
