"""Word-level similarity for matching a learner's question to quiz questions and explanation sentences."""

from __future__ import annotations

import math
import re

_WORD = re.compile(r"[a-z0-9]+(?:[@_'][a-z0-9]+)*")
STOP_WORDS = frozenset(
    "a an the of to in on for and or is are was were be been it its this that these those what which who whom how "
    "why when where do does did with by as at from into than then there their they them we you your i me my our "
    "can could would should will shall may might must about explain tell give show me please some any each every "
    "between vs versus".split()
)
_ABBREVIATIONS = {"topp": "top_p", "nucleus": "top_p", "topk": "top_k", "gqa": "grouped", "mha": "multi"}


def stem(word: str) -> str:
    """A light suffix stripper: enough to match 'tokens'/'token', 'heads'/'head', 'normalised'/'normalise'."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


_GREEK = {"μ": " mu ", "σ": " sigma ", "ε": " epsilon ", "β": " beta ", "θ": " theta ", "α": " alpha ", "λ": " lambda "}


def content_tokens(text: str) -> set[str]:
    """Lower-cased, stemmed content words of `text` ("top-p" and "top_p" both become top_p; μ is mu)."""
    for letter, name in _GREEK.items():
        text = text.replace(letter, name)
    lowered = (
        re.sub(r"['’]s\b", "", text.lower())
        .replace("top-p", "top_p")
        .replace("top-k", "top_k")
        .replace("pass@k", "pass_at_k")
    )
    words = {_ABBREVIATIONS.get(w, w) for w in _WORD.findall(lowered)}
    return {stem(w) for w in words if w not in STOP_WORDS}


def coverage(query: str, text: str) -> float:
    """Share of the query's content words that `text` contains (0 when the query has none)."""
    wanted = content_tokens(query)
    if not wanted:
        return 0.0
    return len(wanted & content_tokens(text)) / len(wanted)


def similarity(a: str, b: str) -> float:
    """Symmetric match of two short texts: the smaller of the two coverages' mean and the Jaccard boost."""
    ta, tb = content_tokens(a), content_tokens(b)
    if not ta or not tb:
        return 0.0
    shared = len(ta & tb)
    return 0.5 * (shared / len(ta) + shared / len(tb))


def match_both_ways(a: str, b: str) -> float:
    """How well two questions match when each must cover the other: the smaller of the two coverages.

    "What is attention?" covers all of "Why are attention scores divided by sqrt(d_k)?"'s one shared
    word, but that question asks four more things: a match must hold from both sides.
    """
    return min(coverage(a, b), coverage(b, a))


def rank_sentences(query: str, parts: list[str]) -> list[int]:
    """Sentence indices, best answer to `query` first: shared words weighted by rarity among the sentences."""
    tokens = [content_tokens(p) for p in parts]
    wanted = content_tokens(query)
    n = len(parts)
    weight = {w: math.log(1 + n / max(1, sum(w in t for t in tokens))) for w in wanted}
    scores = [sum(weight[w] for w in wanted & t) for t in tokens]
    return sorted(range(n), key=lambda i: (-scores[i], i))


def sentences(text: str) -> list[str]:
    """Split prose into sentences (keeping abbreviations such as 'e.g.' and decimals intact)."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z(])", text.strip())
    return [p.strip() for p in parts if p.strip()]


__all__ = [
    "STOP_WORDS",
    "content_tokens",
    "coverage",
    "match_both_ways",
    "rank_sentences",
    "sentences",
    "similarity",
    "stem",
]
