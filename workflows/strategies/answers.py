"""Final-answer extraction and normalisation: pure, so it lives in `tools.evals.answers` (re-exported here)."""

from tools.evals.answers import ANSWER_SCHEMA, canonical_number, extract_answer, last_number, normalize_answer

__all__ = ["ANSWER_SCHEMA", "canonical_number", "extract_answer", "last_number", "normalize_answer"]
