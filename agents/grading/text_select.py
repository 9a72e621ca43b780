"""Pick the reference text that fits a question: sentence choice and question similarity."""

from __future__ import annotations

from tools.grading.text import content_stems, sentences


def similarity(a: str, b: str) -> float:
    """Shared content stems over the larger stem set (0..1)."""
    sa, sb = content_stems(a), content_stems(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / max(len(sa), len(sb))


def best_sentences(text: str, query: str, limit: int = 2) -> str:
    """The `limit` sentences of `text` sharing most content stems with `query`, in their original order."""
    wanted = content_stems(query)
    ranked = sorted(enumerate(sentences(text)), key=lambda item: -len(wanted & content_stems(item[1])))
    chosen = sorted((i, s) for i, s in ranked[:limit] if wanted & content_stems(s))
    return " ".join(s for _, s in chosen)


__all__ = ["best_sentences", "similarity"]
