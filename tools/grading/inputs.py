"""Read a concept's inputs out of a question's text, so the reference can be computed.

"For x=(2,3,1), w=(0.5,-1,0.3), b=1 and a sigmoid activation" fills the neuron's x, w, b
and activation; "LayerNorm of (3, 4, 5)" fills kind and x; "apple 0.4, banana 0.3, ...
with p = 0.8" fills a token -> probability map. The parser only knows the input model's
field names and types, never a particular question; when the result does not validate,
there is nothing to compute and the caller falls back to the quiz's reference answer.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from .numbers import extract_numbers
from .text import normalize

_GREEK = {"α": "alpha", "β": "beta", "ε": "epsilon", "μ": "mu", "σ": "sigma", "θ": "theta", "τ": "tau"}
_NUM = r"-?\d+(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)?"
_ASSIGNMENT = re.compile(
    r"(?<![\w])(?P<key>[A-Za-z][A-Za-z0-9_\-]*)\s*=\s*(?P<value>\([^)]*\)|\[[^\]]*\]|" + _NUM + r")"
)
_AT = re.compile(r"(?<![\w])[A-Za-z]+@(?P<value>\d+)")
_PAIR = re.compile(r"(?<![\w@])(?P<key>[A-Za-z][A-Za-z]+)\s*[:=]?\s+(?P<value>" + _NUM + r")(?![\w.])")
_TUPLE = re.compile(r"(?:^|[\s(])\((?P<body>\s*" + _NUM + r"(?:\s*,\s*" + _NUM + r")+\s*)\)")
_NUMBER_LIST = re.compile(r"(?P<body>" + _NUM + r"(?:\s*,\s*" + _NUM + r")+(?:,?\s*and\s+" + _NUM + r")?)")
_CALL = r"\s*\((?P<args>\s*" + _NUM + r"(?:\s*,\s*" + _NUM + r")*\s*)\)"


def _unwrap(annotation: Any) -> Any:
    """Annotated[X, ...] -> X and X | None -> X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def field_kind(annotation: Any) -> str:
    """One of number, numbers, number_map, choice, flag or other."""
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if annotation in (int, float):
        return "number"
    if annotation is bool:
        return "flag"
    if origin is Literal:
        return "choice"
    if origin is list and _unwrap(typing.get_args(annotation)[0]) in (int, float):
        return "numbers"
    if origin is dict:
        key, value = typing.get_args(annotation)
        if key is str and _unwrap(value) in (int, float):
            return "number_map"
    return "other"


def _value(text: str) -> float:
    numbers = extract_numbers(text, words=False)
    if not numbers:
        raise ValueError(text)
    return numbers[0].value


def _values(text: str) -> list[float]:
    return [n.value for n in extract_numbers(text, words=False)]


def _slug(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _field_for(key: str, fields: dict[str, str]) -> str | None:
    """The field a written name refers to: itself, its Greek spelling, or its last part (top_p -> p)."""
    key = _slug(_GREEK.get(key, key))
    if key in fields:
        return key
    tail = key.rsplit("_", 1)[-1]
    return tail if tail in fields and tail != key else None


def parse_inputs(question: str, model: type[BaseModel]) -> dict[str, Any] | None:
    """The inputs of `model` that the question states, or None when they do not validate."""
    text = normalize(question)
    for letter, name in _GREEK.items():
        text = re.sub(rf"(?<!\w){letter}(?!\w)", name, text)
    fields = {name: field_kind(info.annotation) for name, info in model.model_fields.items()}
    choices = {
        name: [str(v) for v in typing.get_args(_unwrap(model.model_fields[name].annotation))]
        for name, kind in fields.items()
        if kind == "choice"
    }
    raw: dict[str, Any] = {}
    used: list[tuple[int, int]] = []

    def assign(name: str, value: Any, span: tuple[int, int]) -> None:
        if name not in raw:
            raw[name] = value
            used.append(span)

    for match in _ASSIGNMENT.finditer(text):
        field = _field_for(match.group("key"), fields)
        if field is None or fields[field] not in ("number", "numbers"):
            continue
        values = _values(match.group("value"))
        if values:
            assign(field, values if fields[field] == "numbers" else values[0], match.span())
    for match in _AT.finditer(text):
        if "k" in fields and fields["k"] == "number":
            assign("k", int(match.group("value")), match.span())

    slugged = _slug(text)
    for name, options in choices.items():
        present = [o for o in options if re.search(rf"(?<![a-z0-9]){re.escape(o.lower())}(?![a-z0-9])", slugged)]
        if len(present) > 1:  # "gelu" inside "gelu_tanh": keep the longest when one contains the others
            longest = max(present, key=len)
            present = [longest] if all(p in longest for p in present) else present
        if len(present) == 1:
            raw[name] = present[0]
            call = re.search(re.escape(present[0]).replace("_", "[-_ ]") + _CALL, text, re.IGNORECASE)
            if call:
                target = _first_free(fields, raw, "numbers")
                if target:
                    assign(target, _values(call.group("args")), call.span())

    def free(span: tuple[int, int]) -> bool:
        return not any(a < span[1] and span[0] < b for a, b in used)

    pairs = [m for m in _PAIR.finditer(text) if free(m.span()) and _field_for(m.group("key"), fields) is None]
    target = _first_free(fields, raw, "number_map")
    named = [m for m in pairs if m.group("key").lower() not in _NOT_NAMES]
    if target and len(named) >= 2:
        assign(target, {m.group("key"): _value(m.group("value")) for m in named}, (named[0].start(), named[-1].end()))
        for m in named:
            used.append(m.span())
    for match in _TUPLE.finditer(text):
        target = _first_free(fields, raw, "numbers")
        if target and free(match.span()):
            assign(target, _values(match.group("body")), match.span())
    for match in _NUMBER_LIST.finditer(text):
        if not free(match.span()):
            continue
        values = _values(match.group("body"))
        map_target = _first_free(fields, raw, "number_map")
        list_target = _first_free(fields, raw, "numbers")
        if map_target and len(set(values)) == len(values):
            assign(map_target, {_fmt(v): v for v in values}, match.span())
        elif list_target:
            assign(list_target, values, match.span())
    for name, kind in fields.items():
        if name in raw or kind != "numbers":
            continue
        parts = [p[:4] for p in name.split("_") if len(p) >= 3]
        for part in parts:
            lone = re.search(rf"\b{re.escape(part)}\w*\s+(?P<value>{_NUM})(?![\w.,])", text, re.IGNORECASE)
            if lone and free(lone.span()):
                assign(name, [_value(lone.group("value"))], lone.span())
                break
    if not raw:
        return None
    try:
        model.model_validate(raw)
    except ValidationError:
        return None
    return raw


_NOT_NAMES = frozenset({"with", "and", "to", "of", "is", "at", "for", "by", "times", "probability", "probabilities"})


def _fmt(value: float) -> str:
    return f"{value:g}"


def _first_free(fields: dict[str, str], raw: dict[str, Any], kind: str) -> str | None:
    return next((name for name, k in fields.items() if k == kind and name not in raw), None)


__all__ = ["field_kind", "parse_inputs"]
