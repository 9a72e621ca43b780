"""The evaluation arena's workflow side: the typed result schema and the per-item column runners.

`schema` is the contract every consumer (the CLI, persistence, `/api/evals`, exports,
plots, benches) reads: an `EvalResult` is what an `eval` run's final state holds.
"""
