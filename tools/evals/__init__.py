"""Pure functions of the evaluation arena: statistics, answer checks, a 24 solver and the user-suite parser.

No I/O here: loading datasets and running code live in `agents.evals` and `agents.sandbox`.
"""
