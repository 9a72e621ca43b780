"""One normaliser for indexed text and for queries, so 'top-p', 'pass@k' and 'd_model' match however typed.

SQLite's unicode61 tokenizer splits on every non-alphanumeric character, so 'top-p' would become
'top' + 'p' and 'pass@k' 'pass' + 'k'. Here a word joined by '-', '_' or '@' yields its parts *and*
the joined form ('topp', 'passk', 'dmodel'); both the index and the query go through `terms`, so
'top_p', 'top-p' and 'TOP-P' all meet. Queries keep only alphanumeric terms, which makes them safe
to quote into an FTS5 expression whatever the user typed.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+(?:[-_@][^\W_]+)*")
_PART = re.compile(r"[^\W_]+")

#: Words that say nothing about the topic; dropped from queries only (the index keeps every word).
STOP_WORDS = frozenset(
    """
    a about above after again all also am an and any are as at be because been before being below between both
    but by can could did do does doing done down during each either else even ever every explain explained few
    for from further get gets give given had has have having he her here hers him his how i if in into is it
    its itself just know let like me mean means meant more most much my no nor not now of off on once only or
    other our out over own please same say says she should show so some such tell than that the their them
    then there these they this those through to too under until up us use used very want was way we were what
    when where which while who whom why will with would you your
    """.split()
)


def terms(text: str) -> list[str]:
    """Lower-case terms of `text` in order; a joined word adds its joined form after its parts."""
    out: list[str] = []
    for match in _WORD.finditer(unicodedata.normalize("NFKC", text).lower()):
        parts = _PART.findall(match.group())
        out.extend(parts)
        if len(parts) > 1:
            out.append("".join(parts))
    return out


def index_text(text: str) -> str:
    """`text` as the space-separated terms the full-text index stores."""
    return " ".join(terms(text))


def query_terms(text: str, *, max_terms: int = 32) -> list[str]:
    """Distinct content terms of a user query: no stop-words, no single characters, at most `max_terms`."""
    seen: dict[str, None] = {}
    for term in terms(text):
        if len(term) > 1 and term not in STOP_WORDS:
            seen.setdefault(term, None)
    return list(seen)[:max_terms]
