"""`thinkroom concepts list|show|run`."""

from __future__ import annotations

import json
from typing import Any

import typer
from pydantic import ValidationError
from rich.markdown import Markdown
from rich.table import Table

from agents.llm.gateway import Gateway
from agents.model_concepts import MODEL_CONCEPTS
from tools.concepts import CONCEPTS, resolve_name

from .common import console, describe_validation, fail, run_with_gateway

app = typer.Typer(help="The concept lab: GenAI concepts as runnable tasks.", no_args_is_help=True)


def _lookup(name: str) -> Any:
    concept = CONCEPTS.get(resolve_name(name)) or MODEL_CONCEPTS.get(name)
    if concept is None:
        fail(f"unknown concept {name!r}; `thinkroom concepts list` shows them")
    return concept


@app.command("list")
def list_all() -> None:
    """Every concept with its notes section."""
    table = Table(title=f"{len(CONCEPTS) + len(MODEL_CONCEPTS)} concepts")
    for column in ("name", "title", "section"):
        table.add_column(column)
    everything: list[Any] = [*CONCEPTS.values(), *MODEL_CONCEPTS.values()]
    for concept in everything:
        model = " (model)" if concept.name in MODEL_CONCEPTS else ""
        table.add_row(concept.name + model, concept.title, concept.section)
    console.print(table)


@app.command()
def show(name: str) -> None:
    """Explanation, example input, quiz and the notes' errata for one concept."""
    concept = _lookup(name)
    console.print(Markdown(f"# {concept.title}\n\n*Notes section: {concept.section}*\n\n{concept.explanation}"))
    console.print(Markdown("## Example input\n```json\n" + json.dumps(concept.example, indent=2) + "\n```"))
    quiz = "\n".join(f"{i}. {q.question}\n   - *{q.answer}*" for i, q in enumerate(concept.quiz, 1))
    console.print(Markdown("## Quiz\n" + quiz))
    if concept.notes_errata:
        console.print(Markdown("## Where the notes are wrong\n" + "\n".join(f"- {e}" for e in concept.notes_errata)))


@app.command()
def run(
    name: str,
    json_input: str | None = typer.Option(None, "--json", help="Inputs as a JSON object (default: the example)."),
) -> None:
    """Run a concept and print its result as JSON."""
    concept = _lookup(name)
    try:
        inputs = json.loads(json_input) if json_input else dict(concept.example)
    except json.JSONDecodeError as exc:
        fail(f"--json is not valid JSON: {exc}")
    if not isinstance(inputs, dict):
        fail("--json must be a JSON object")
    try:
        if name in MODEL_CONCEPTS:

            async def work(gateway: Gateway) -> dict[str, Any]:
                return await concept.execute(inputs, gateway)

            result = run_with_gateway(work)
        else:
            result = concept.execute(inputs)
    except ValidationError as exc:
        fail(describe_validation(exc))
    console.print_json(json.dumps({"concept": name, "inputs": inputs, "result": result}))
