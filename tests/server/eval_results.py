"""EvalResults with known verdicts and costs, built from the schema the way the eval graph builds them."""

from __future__ import annotations

from workflows.evals.schema import ColumnOutput, ColumnSpec, EvalResult, EvalSpec, ItemResult, ModelRef
from workflows.evals.summary import pairwise_mcnemar, summarize_column

MODEL = "gemma3-270m"


def arena(
    verdicts: dict[str, list[bool]], *, suite: str = "gsm8k", tokens: dict[str, tuple[int, int]] | None = None,
    first: int = 0, seed: int = 0,
) -> EvalResult:
    """A strategy arena: `verdicts[strategy][k]` is item k's verdict; `tokens[strategy]` = (prompt, completion)."""
    strategies = list(verdicts)
    spec = EvalSpec(suite=suite, strategies=strategies, models=[MODEL], seed=seed)  # type: ignore[arg-type]
    columns = spec.column_specs(MODEL)
    count = len(next(iter(verdicts.values())))
    items = []
    for k in range(count):
        outputs = {}
        for column in columns:
            right = verdicts[str(column.strategy)][k]
            prompt, completion = (tokens or {}).get(str(column.strategy), (100, 50))
            outputs[column.id] = ColumnOutput(
                output=str(k) if right else "nope", correct=right, prompt_tokens=prompt,
                evaluated_prompt_tokens=prompt, completion_tokens=completion, calls=1, seconds=0.5,
                detail={"verdict": "correct" if right else "wrong"},
            )
        index = first + k
        items.append(ItemResult(index=index, id=f"{suite}/{index}", input=f"question {index}?", expected=str(index),
                                outputs=outputs))
    return finish(spec, columns, items)


def code_eval(counts: dict[str, list[tuple[int, int]]]) -> EvalResult:
    """A HumanEval run: `counts[column][k]` = (n samples, c passed) of problem k; columns reference / direct."""
    spec = EvalSpec(suite="humaneval", reference="reference" in counts, strategies=["direct"] if "direct" in counts
                    else [], models=[MODEL], samples=max(n for c in counts.values() for n, _ in c))
    columns = [c for c in spec.column_specs(MODEL) if (c.strategy or c.id) in counts]
    problems = len(next(iter(counts.values())))
    items = []
    for k in range(problems):
        outputs = {}
        for column in columns:
            n, c = counts[column.strategy or column.id][k]
            tokens = (0, 0) if column.kind == "reference" else (200, 80 * n)
            outputs[column.id] = ColumnOutput(output="def f(): ...", correct=c > 0, n=n, c=c,
                                              prompt_tokens=tokens[0], completion_tokens=tokens[1], calls=n)
        items.append(ItemResult(index=k, id=f"HumanEval/{k}", input=f"def f{k}():", expected="pass",
                                outputs=outputs))
    return finish(spec, columns, items)


def finish(spec: EvalSpec, columns: list[ColumnSpec], items: list[ItemResult]) -> EvalResult:
    return EvalResult(
        spec=spec, thinkroom_version="0.1.0", models=[ModelRef(name=MODEL, backend="scripted", digest="sha256:ab")],
        columns=[summarize_column(c, items) for c in columns], items=items, mcnemar=pairwise_mcnemar(columns, items),
        total_items=len(items), wall_seconds=1.5,
    )
