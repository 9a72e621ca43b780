"""An evaluator's score and reasons, read out of free model text the one way every caller reads them.

Why one parser: the AutoGen evaluator, the CrewAI evaluator, the coding team and the prompt lab
each parsed scores with their own regex, so "Score: 3/5" was 3 on one framework and 0.6 on the
other, and "score 7 out of 10" was no score at all. A small local model rarely keeps to the
"SCORE: n" it is asked for, so this accepts the forms models actually write ("SCORE: 7",
"**Score:** 7/10", "score 7 out of 10", a bare "7/10", JSON {"score": 7}), puts every score on
one scale, clamps it there, and returns None rather than guessing when no score is stated.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: The scale evaluators are asked to use ("SCORE: <0-10>").
DEFAULT_SCALE = 10.0

_NUM = r"[-+]?\d+(?:\.\d+)?"
#: After the key: quotes and markdown, then an optional ':' '=' 'is' 'of' or a spaced dash.
_AFTER_KEY = r"[\"'*_]*\s*(?:[:=]|\bis\b|\bof\b|[-\u2013](?=\s))?\s*[*_\"']*\s*"
_OUT_OF = rf"(?:\s*(?:/|\bout\s+of\b)\s*(?P<den>{_NUM}))?"
#: A bare "7/10" or "7 out of 10" (no 'score' word): only counted when the denominator is the scale.
_BARE = re.compile(rf"(?<![\w./])(?P<num>{_NUM})\s*(?:/|\bout\s+of\b)\s*(?P<den>{_NUM})(?![\w/]|\.\d)", re.IGNORECASE)
_REASONS = re.compile(r"\breasons?\b[*_]*\s*:[*_]*", re.IGNORECASE)
_FENCE = re.compile(r"^```[a-z]*\s*|\s*```$", re.IGNORECASE)
_REASON_KEYS = ("reasons", "reason", "explanation", "feedback")
_LEADING_JUNK = " \t*_#>`\"'"
_TRAILING_JUNK = " \t*_.,;:!)\"'"


def _labelled(label: str | None) -> re.Pattern[str]:
    """'score' (or 'scores'/'scored'), then `label` if given ("SCORE A: 5"), then the number."""
    key = r"\bscore[sd]?" + (rf"\s*{re.escape(label)}\b" if label else r"\b")
    return re.compile(key + _AFTER_KEY + rf"(?P<num>{_NUM})" + _OUT_OF, re.IGNORECASE)


_UNLABELLED = _labelled(None)


def _json_object(text: str) -> tuple[dict[str, Any], bool] | None:
    """The JSON object the text is (a ``` fence allowed) or holds as its outermost {...} span,
    keys lower-cased, and whether it is the whole text."""
    candidates = [(_FENCE.sub("", text.strip()), True)]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append((text[start : end + 1], False))
    for candidate, whole in candidates:
        try:
            parsed = json.loads(candidate)
        except ValueError:  # JSONDecodeError is a ValueError
            continue
        if isinstance(parsed, dict):
            return {str(k).lower(): v for k, v in parsed.items()}, whole
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and re.fullmatch(_NUM, value.strip()):
        return float(value.strip())
    return None


def _on_scale(value: float, denominator: float | None, scale: float) -> float | None:
    """`value` (out of `denominator`, else already on `scale`) on `scale`, clamped to [0, scale]."""
    if denominator is not None:
        if denominator <= 0:
            return None
        value = value / denominator * scale
    return round(min(max(value, 0.0), scale), 3)


def _match(text: str, label: str | None, scale: float) -> re.Match[str] | None:
    """Where the score is written: a labelled score first, else a bare fraction of the scale."""
    found = (_labelled(label) if label else _UNLABELLED).search(text)
    if found is not None or label:
        return found
    for bare in _BARE.finditer(text):
        if float(bare.group("den")) == scale:
            return bare
    return None


def parse_score(text: str, *, scale: float = DEFAULT_SCALE, label: str | None = None) -> float | None:
    """The score stated in `text`, on 0..`scale`; None when it states none.

    A JSON object's "score" key wins; then the first "score ..." phrase (a denominator such as
    "3/5" is rescaled: 6 on a 10 scale); then a bare fraction whose denominator is the scale.
    `label` reads one of several scores ("SCORE A: 5" with label="A").
    """
    found_json = _json_object(text) if label is None else None
    if found_json is not None and "score" in found_json[0]:
        value = _number(found_json[0]["score"])
        if value is not None:
            return _on_scale(value, None, scale)
    found = _match(text, label, scale)
    if found is None:
        return None
    denominator = float(found.group("den")) if found.group("den") else None
    return _on_scale(float(found.group("num")), denominator, scale)


def parse_reasons(text: str) -> str:
    """The evaluator's reasons: what follows "REASONS:", else a JSON "reasons", else the text without its score."""
    heading = _REASONS.search(text)
    if heading is not None:
        return text[heading.end() :].strip()
    found_json = _json_object(text)
    if found_json is not None:
        obj, whole = found_json
        key = next((k for k in _REASON_KEYS if k in obj), None)
        if key is not None or whole:
            reasons = obj.get(key, []) if key is not None else []
            items = reasons if isinstance(reasons, list) else [reasons]
            return "\n".join(f"- {str(r).strip()}" for r in items if str(r).strip())
    found = _match(text, None, DEFAULT_SCALE)
    if found is None:
        return text.strip()
    before = text[: found.start()].rstrip(_LEADING_JUNK)
    after = text[found.end() :].lstrip(_TRAILING_JUNK)
    inline = before and after and not before.endswith("\n") and not after.startswith("\n")
    return (before + (" " if inline else "") + after).strip()


def render_grade(score: float, reasons: str) -> str:
    """The evaluator persona's reply, whichever framework ran it: 'SCORE: n', then 'REASONS:' and the reasons."""
    return f"SCORE: {score:g}\nREASONS:\n{reasons.strip()}"


__all__ = ["DEFAULT_SCALE", "parse_reasons", "parse_score", "render_grade"]
