"""The evaluation arena's I/O: loading the packaged suites and running code samples in the sandbox.

Scoring rules and statistics are pure (`tools.evals`); the `eval` workflow
(`workflows.graphs.eval`) runs the columns and checkpoints after every item.
"""
