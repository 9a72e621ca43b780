"""Entry point: `thinkroom serve | ask | models | concepts | run | runs`."""

from __future__ import annotations

import typer

from agents.llm.gateway import Gateway
from agents.llm.types import GenerationOptions

from . import concepts, models
from .common import console, err_console, run_with_gateway, settings_or_exit

app = typer.Typer(help="thinkroom: a self-hosted multi-agent service for learning generative AI.", no_args_is_help=True)
app.add_typer(models.app, name="models")
app.add_typer(concepts.app, name="concepts")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Bind address (default THINKROOM_HOST)."),
    port: int | None = typer.Option(None, help="Port (default THINKROOM_PORT)."),
) -> None:
    """Serve the API, dashboard and OpenAPI docs (/docs)."""
    import uvicorn

    settings = settings_or_exit()
    from server.app import create_app

    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port, log_level="info")


@app.command()
def ask(
    prompt: str = typer.Argument(..., help="What to ask or a text to continue."),
    model: str | None = typer.Option(None, help="Model name (default: the backend's)."),
    temperature: float | None = typer.Option(None, min=0.0, max=2.0),
    seed: int | None = typer.Option(None),
    max_tokens: int | None = typer.Option(None, min=1),
    top_p: float | None = typer.Option(None, min=0.0, max=1.0),
) -> None:
    """Stream a model's answer to the terminal."""
    options = GenerationOptions(temperature=temperature, seed=seed, max_tokens=max_tokens, top_p=top_p)

    async def work(gateway: Gateway) -> None:
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


if __name__ == "__main__":
    app()
