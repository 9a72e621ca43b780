"""Everything on top of an `eval` run's EvalResult: status and storage, progress, comparison, export, plots.

Shared by `/api/evals` (server.routes.evals) and `thinkroom eval` (server.cli.eval_views).
matplotlib is imported by `plots` only when a plot is drawn, never at server start.
"""
