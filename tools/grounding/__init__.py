"""Pure helpers that keep agent answers grounded: numbers in questions, result headlines, scaffolding echoes."""

from tools.grounding.headlines import fmt_number, headline
from tools.grounding.numbers import leaf_numbers, numbers_in, ungrounded_numbers
from tools.grounding.scaffolding import is_scaffolding, scaffolding_markers

__all__ = [
    "fmt_number",
    "headline",
    "is_scaffolding",
    "leaf_numbers",
    "numbers_in",
    "scaffolding_markers",
    "ungrounded_numbers",
]
