"""Pure checks for grading a learner's answer against reference text and computed values.

No I/O and no model: numbers, sets and contradictions are compared deterministically, so
the evaluator's verdict rests on what can be verified and the model only fills the gaps.
"""
