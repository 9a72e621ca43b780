"""Entry point: `thinkroom serve | ask | models | concepts | run | runs | eval | arena | db`."""

from __future__ import annotations

import typer

from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions

from . import arena, concepts, db, evals, models, runs, search
from .common import check_model, cli_app, console, err_console, fail, run_with_gateway, settings_or_exit

app = cli_app(help="thinkroom: a self-hosted multi-agent service for learning generative AI.", no_args_is_help=True)
app.add_typer(models.app, name="models")
app.add_typer(concepts.app, name="concepts")
app.add_typer(runs.app, name="runs")
app.add_typer(evals.app, name="eval")
app.add_typer(arena.app, name="arena")
app.add_typer(db.app, name="db")
app.command("run")(runs.run_command)
app.command("search")(search.search_command)


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Bind address (default THINKROOM_HOST)."),
    port: int | None = typer.Option(None, help="Port (default THINKROOM_PORT)."),
) -> None:
    """Serve the API, dashboard and OpenAPI docs (/docs)."""
    import uvicorn

    settings = settings_or_exit()
    from server.app import create_app

    app = create_app(settings, settle_heap=True)
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info")


@app.command()
def ask(
    prompt: str = typer.Argument(..., help="What to ask or a text to continue."),
    model: str | None = typer.Option(None, help="Model name (default: the backend's)."),
    temperature: float | None = typer.Option(None, min=0.0, max=2.0),
    seed: int | None = typer.Option(None),
    max_tokens: int | None = typer.Option(None, min=1),
    top_p: float | None = typer.Option(None, min=0.0, max=1.0),
    agent: str | None = typer.Option(None, help="Ask a specialist: tutor, coder, evaluator or prompt-engineer."),
    framework: str | None = typer.Option(None, help="Build the agent on crewai or autogen (default: its own)."),
) -> None:
    """Stream a model's (or an agent's) answer to the terminal."""
    if agent is not None:
        ask_agent(agent, prompt, framework, model)
        return
    options = GenerationOptions(temperature=temperature, seed=seed, max_tokens=max_tokens, top_p=top_p)

    async def work(gateway: Gateway) -> None:
        await check_model(gateway, model)
        usage = None
        async for chunk in gateway.stream(prompt, model=model, options=options):
            if chunk.done:
                usage = chunk.usage
            else:
                console.print(chunk.text, end="", markup=False, highlight=False, soft_wrap=True)
        console.print()
        if usage is not None:
            err_console.print(
                f"[dim]{usage.backend}/{usage.model}: {usage.prompt_tokens} prompt + "
                f"{usage.completion_tokens} completion tokens in {usage.wall_time_s:.2f}s[/]"
            )

    run_with_gateway(work)


def ask_agent(name: str, prompt: str, framework: str | None, model: str | None = None) -> None:
    """Run one persona turn, streaming its tokens and showing its tool calls and code runs."""
    from agents.personas import PERSONAS

    if name not in PERSONAS:
        fail(f"unknown agent {name!r}; choose one of {', '.join(PERSONAS)}")
    if framework not in (None, "crewai", "autogen"):
        fail("--framework must be crewai or autogen")

    def on_event(kind: str, data: dict[str, object]) -> None:
        if kind == "token":
            err_console.print(str(data.get("text", "")), end="", markup=False, highlight=False, style="dim")
        elif kind in ("tool_call", "tool_result", "code", "execution"):
            err_console.print(f"\n[cyan]{kind}[/] {str(data)[:600]}", highlight=False)

    async def work(gateway: Gateway) -> None:
        from agents.runner import run_agent

        await check_model(gateway, model)
        gateway = gateway.with_defaults(model=model)
        reply = await run_agent(name, prompt, gateway, framework=framework, on_event=on_event)  # type: ignore[arg-type]
        err_console.print()
        console.print(reply.text, markup=False, highlight=False)
        prompt_tokens = sum(u.prompt_tokens for u in reply.usage)
        completion_tokens = sum(u.completion_tokens for u in reply.usage)
        err_console.print(
            f"[dim]{reply.persona} on {reply.framework}: {len(reply.steps)} steps, {len(reply.usage)} model calls, "
            f"{prompt_tokens} prompt + {completion_tokens} completion tokens; stop: {reply.stop_reason}[/]"
        )

    run_with_gateway(work)


if __name__ == "__main__":
    app()
