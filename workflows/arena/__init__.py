"""The model and agent arena's workflow side: its schema, contestants, blind judging and ratings.

The `arena` graph (`workflows.graphs.arena`) runs these as a durable, resumable run; the
ratings themselves are pure (`tools.evals.ratings`).
"""
