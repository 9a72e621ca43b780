"""Read a concept's input values out of a learner's question, with the model under constrained decoding.

The model only fills a JSON object whose shape the concept's input model dictates (a
llama.cpp grammar on the embedded model, Ollama's `format` otherwise), with the concept's
own example as a one-shot. What it writes is then checked, not trusted: the input model
validates it, and every number must appear in the question. One repair attempt follows a
failure; after that the concept's own example is used, and the answer says so.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from agents.llm.errors import BackendError
from agents.llm.gateway import Gateway
from agents.llm.grammar import grammar_schema
from agents.llm.types import GenerationOptions
from tools.concepts import Concept
from tools.grounding import leaf_numbers, numbers_in, ungrounded_numbers
from tools.grounding.numbers import unused_numbers

ArgumentSource = Literal["question", "repaired", "example"]
EXTRACTION_OPTIONS = GenerationOptions(temperature=0.0, max_tokens=160, seed=0)


@dataclass
class Extraction:
    """The arguments a concept will run on, and where they came from."""

    arguments: dict[str, Any]
    source: ArgumentSource
    problems: list[str] = field(default_factory=list)
    attempts: int = 0


def _mentioned(name: str, question: str) -> bool:
    words = name.replace("_", " ")
    return re.search(rf"(?<![A-Za-z]){re.escape(words)}(?![A-Za-z])", question, re.IGNORECASE) is not None or (
        "_" in name and name.lower() in question.lower()
    )


def extraction_fields(concept: Concept, question: str) -> list[str]:
    """Fields the model should fill: the required ones and any optional one the question names.

    An optional field the learner did not mention keeps its default, so the model cannot
    fill it with a number meant for another field.
    """
    fields = concept.input_model.model_fields
    return [
        name
        for name, info in fields.items()
        if info.is_required() or _mentioned(name, question) or (name in concept.example and _is_collection(info))
    ]


def _is_collection(info: Any) -> bool:
    """Lists and tables (the concept's data) may be read from a question; scalar settings only when named."""
    text = str(info.annotation)
    return text.startswith(("list", "dict", "tuple")) or "list[" in text or "dict[" in text


def extraction_schema(concept: Concept, question: str, topic: str | None = None) -> dict[str, Any]:
    """The concept's JSON schema narrowed to `extraction_fields`, all of them required.

    Requiring every listed field keeps the grammar short and forbids the model from
    inventing optional settings the learner never mentioned (those keep their defaults).
    """
    schema = copy.deepcopy(concept.input_model.model_json_schema())
    wanted = extraction_fields(concept, question)
    props = schema.get("properties", {})
    schema["properties"] = {k: _strip_titles(props[k]) for k in wanted if k in props}
    schema["required"] = list(schema["properties"])
    schema.pop("title", None)
    schema.pop("description", None)
    schema["additionalProperties"] = False
    narrowed: dict[str, Any] = narrow_to_question(schema, question, topic)
    return narrowed


def _names(option: str, question: str) -> bool:
    """Whether the question names this enum option as a word ("top-p" names top_p; "gelu" does not name elu)."""
    parts = [re.escape(p) for p in re.split(r"[\s_\-]+", option.lower()) if p]
    pattern = r"(?<![a-z0-9])" + r"[\s_\-]*".join(parts) + r"(?![a-z0-9])"
    return re.search(pattern, question.lower()) is not None


#: "cat: 0.5", "a = 0.3": a named value, the shape of a token-to-probability table.
_NAMED_VALUE = re.compile(r"([A-Za-z][\w'-]*)\s*[:=]\s*(-?\d+(?:\.\d+)?)")


def _within(value: float, node: dict[str, Any]) -> bool:
    """Whether `value` respects the schema node's bounds (JSON-schema and pydantic's ge/le spellings)."""
    low = node.get("minimum", node.get("ge"))
    high = node.get("maximum", node.get("le"))
    if (low is not None and value < low) or (high is not None and value > high):
        return False
    if ("exclusiveMinimum" in node and value <= node["exclusiveMinimum"]) or ("gt" in node and value <= node["gt"]):
        return False
    return not (
        ("exclusiveMaximum" in node and value >= node["exclusiveMaximum"]) or ("lt" in node and value >= node["lt"])
    )


def _number_choice(node: dict[str, Any], numbers: list[float]) -> dict[str, Any]:
    """The question's numbers that fit this leaf, as an enum; `{"enum": []}` when none does."""
    kind = node.get("type")
    fitting = [n for n in numbers if (kind == "number" or float(n).is_integer()) and _within(n, node)]
    return {"enum": [int(n) if float(n).is_integer() and kind == "integer" else n for n in dict.fromkeys(fitting)]}


#: Above this many candidate lists, a list field keeps an item-wise choice instead of an enum of runs.
_MAX_RUNS = 64


def _runs_choice(node: dict[str, Any], numbers: list[Any]) -> dict[str, Any]:
    """A list of numbers as written in the question: one of its contiguous runs (in order) that fit the items.

    "(1, 2, 3) at temperature 0.5" offers [1], [1, 2], [1, 2, 3], [2, 3], ... but never [2, 1]
    or [1, 1, 1, 1]: lists in questions are written out in order.
    """
    allowed = node["items"]["enum"]
    fits = [n in allowed for n in numbers]
    low, high = node.get("minItems", 1), node.get("maxItems", len(numbers))
    runs = [
        numbers[i:j]
        for i in range(len(numbers))
        for j in range(i + max(1, low), min(len(numbers), i + high) + 1)
        if all(fits[i:j])
    ]
    unique = list({tuple(run): run for run in runs}.values())
    if not unique or len(unique) > _MAX_RUNS:
        return {**node, "maxItems": min(high, len(numbers))}
    return {"enum": unique}


_NUM = r"-?\d+(?:\.\d+)?"
_NUM_LIST = rf"[(\[]?\s*({_NUM}(?:\s*(?:,\s*and|,|and)\s*{_NUM})*)"
#: Field words too generic to bind a number by themselves ("vocab_size" binds by "vocab", not "size").
_GENERIC = frozenset({"size", "dim", "n", "num", "per", "elem", "k", "p", "c"})


def _field_words(field: str) -> list[tuple[str, int]]:
    """Ways a question may name a field, with how specific each is: the full name, the name without
    generic words ("kv heads" for n_kv_heads), and its distinctive last or first word (singular too)."""
    parts = [p for p in field.lower().split("_") if p]
    joiner = r"[\s_\-]*"
    names = [(joiner.join(map(re.escape, parts)), 3)]
    distinctive = [p for p in parts if p not in _GENERIC]
    if 1 < len(distinctive) < len(parts):
        names.append((joiner.join(map(re.escape, distinctive)), 2))
    for word in (parts[-1], parts[0]):
        if word not in _GENERIC and len(word) >= 3:
            names.append((re.escape(word), 1))
            if word.endswith("s") and len(word) > 3:
                names.append((re.escape(word[:-1]), 1))
    return list(dict.fromkeys(names))


def _bindings(question: str, field: str) -> tuple[list[float], dict[float, int]]:
    """Numbers the question ties to `field` by name, in order (a written list keeps its repeats),
    and the specificity of the naming of each."""
    text = question.lower()
    weights: dict[float, int] = {}
    best: list[float] = []
    for name, weight in _field_words(field):
        after = rf"(?<![a-z0-9]){name}[a-z]*\s*(?:[:=]|is|of|to)?\s*(?:[a-z]\s*=\s*)?{_NUM_LIST}"
        before = rf"({_NUM})\s+(?:[a-z]+\s+)?{name}(?![a-z0-9])"
        for pattern in (after, before):
            for match in re.findall(pattern, text):
                values = numbers_in(match)
                for value in values:
                    weights[value] = max(weights.get(value, 0), weight)
                if len(values) > len(best):
                    best = values
    ordered = best + [n for n in weights if n not in best]
    return ordered, weights


def bound_numbers(question: str, field: str, others: list[str] = ()) -> list[float]:  # type: ignore[assignment]
    """Numbers the question ties to `field` by name ("temperature 0.5", "k = 2", "12 layers", "8 KV heads"),
    minus those another field claims by a more specific name ("8 KV heads" is n_kv_heads', not n_heads')."""
    mine, weights = _bindings(question, field)
    rivals = [_bindings(question, other)[1] for other in others if other != field]
    return [n for n in mine if not any(r.get(n, 0) > weights[n] for r in rivals)]


def narrow_to_question(schema: Any, question: str, topic: str | None = None) -> Any:
    """Turn free choices into choices among what the question wrote.

    Every number leaf may only take a number the question contains (and that fits the
    field's bounds); a field the question names with a number ("temperature 0.5") takes
    that number, and the others share what is left. A list of numbers is one of the
    question's runs, a string enum is narrowed to the options the question names, and a
    name-to-number table takes exactly the names the question pairs with numbers. The
    model's part then becomes a constrained choice: which of the question's values goes where.
    `topic` (a follow-up with its earlier question) may name options; values come from `question` only.
    """
    numbers = numbers_in(question)
    props = schema.get("properties", {}) if isinstance(schema, dict) else {}
    named = dict.fromkeys(name for name, _ in _NAMED_VALUE.findall(question) if name not in props)
    bound = {field: bound_numbers(question, field, list(props)) for field in props}
    taken = [n for values in bound.values() for n in values]
    free = [n for n in numbers if n not in taken] or numbers

    def narrow(node: Any, pool: list[float]) -> Any:
        if isinstance(node, list):
            return [narrow(v, pool) for v in node]
        if not isinstance(node, dict):
            return node
        node = {k: narrow(v, pool) for k, v in node.items()}
        kind = node.get("type")
        if kind in ("number", "integer") and pool and "enum" not in node:
            return _number_choice(node, pool)
        if kind == "array" and pool and isinstance(node.get("items"), dict):
            items = node["items"]
            if "enum" in items and all(isinstance(v, (int, float)) for v in items["enum"]):
                return _runs_choice(node, pool)
            if items.get("type") == "string" and "enum" not in items:
                return _runs_choice({**node, "items": {"enum": [f"{n:g}" for n in pool]}}, [f"{n:g}" for n in pool])
        if kind == "object" and isinstance(node.get("additionalProperties"), dict) and len(named) >= 2:
            value = node["additionalProperties"]
            return {
                "type": "object",
                "properties": {name: value for name in named},
                "required": list(named),
                "additionalProperties": False,
            }
        if kind == "object" and pool and "enum" in (node.get("additionalProperties") or {}):
            # unnamed values ("probabilities 0.5, 0.3, 0.2"): a written run, named t1, t2, ... in order
            runs = _runs_choice({"items": node["additionalProperties"]}, pool).get("enum")
            if runs:
                return {"enum": [{f"t{i + 1}": v for i, v in enumerate(run)} for run in runs]}
        if "enum" in node and all(isinstance(v, str) for v in node["enum"]):
            mentioned = [v for v in node["enum"] if _names(v, topic or question)]
            if mentioned:
                return {**node, "enum": mentioned}
        if "anyOf" in node:
            options = [o for o in node["anyOf"] if o.get("type") != "null"]
            if len(options) == 1:
                return options[0]
        return node

    if not props:
        return narrow(schema, numbers)
    narrowed = dict(schema)
    narrowed["properties"] = {field: narrow(sub, bound[field] or free) for field, sub in props.items()}
    return narrowed


def _strip_titles(node: Any) -> Any:
    """Drop what the grammar does not need (titles, defaults, large size bounds): see agents.llm.grammar."""
    return grammar_schema(node)


def _example_question(concept: Concept) -> str:
    """A one-line wording of the concept's example, for the one-shot."""
    parts = []
    for key, value in concept.example.items():
        text = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
        parts.append(f"{key.replace('_', ' ')} {text}")
    return f"{concept.title}: " + ", ".join(parts)


def extraction_prompt(concept: Concept, question: str, schema: dict[str, Any]) -> str:
    """A few-shot completion prompt a base model can continue with one JSON object."""
    fields = schema.get("properties") or (schema["enum"][0] if schema.get("enum") else {})
    example = {k: v for k, v in concept.example.items() if k in fields}
    return (
        f"Copy the values for {concept.title} from the question into JSON.\n\n"
        f"Question: {_example_question(concept)}\n"
        f"JSON: {json.dumps(example)}\n\n"
        f"Question: {question}\n"
        "JSON:\n"
    )


def check_arguments(concept: Concept, arguments: dict[str, Any], question: str) -> list[str]:
    """Why these arguments cannot be trusted (empty when they validate and come from the question)."""
    problems: list[str] = []
    try:
        concept.input_model.model_validate(arguments)
    except ValidationError as exc:
        problems += [f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors()]
    invented = ungrounded_numbers(arguments, question)
    if invented:
        problems.append("numbers not in the question: " + ", ".join(f"{n:g}" for n in invented[:5]))
    unused = unused_numbers(arguments, question)
    if unused:
        problems.append("numbers in the question left unused: " + ", ".join(f"{n:g}" for n in unused[:5]))
    return problems


async def _ask(gateway: Gateway, prompt: str, schema: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    try:
        value = await gateway.structured(prompt, schema, options=EXTRACTION_OPTIONS)
    except BackendError as exc:  # unparseable or off-schema output counts as a failed attempt
        return None, exc.message
    if not isinstance(value, dict):
        return None, "the model did not return a JSON object"
    return value, ""


_ABOUT_EXAMPLE = re.compile(r"\b(?:the|notes'?|its|this) (?:worked )?example\b", re.IGNORECASE)


def is_flat(schema: dict[str, Any]) -> bool:
    """True when every input is a choice among the question's values or a plain string (cheap to fill)."""
    return all(
        "enum" in sub or sub.get("type") in ("string", "boolean") for sub in schema.get("properties", {}).values()
    )


def unreadable(schema: Any) -> bool:
    """True when some field can take no value at all: the question cannot fill this concept's inputs."""
    if isinstance(schema, dict):
        if "enum" in schema and not schema["enum"]:
            return True
        return any(unreadable(v) for k, v in schema.items() if k not in ("enum", "const"))
    if isinstance(schema, list):
        return any(unreadable(v) for v in schema)
    return False


#: Readings are enumerated only when the choices multiply to at most this many.
MAX_READINGS = 2048


def consistent_readings(concept: Concept, question: str, schema: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Every assignment of the question's values to the inputs that validates and uses all of them.

    None when the schema is not a product of finite choices (or too large to enumerate).
    One reading means the question determines the arguments and no model call is needed;
    several go to the model as a constrained choice; none sends the model to fill freely.
    """
    props = schema.get("properties", {})
    if not props or not all("enum" in sub for sub in props.values()):
        return None
    names = list(props)
    choices = [props[name]["enum"] for name in names]
    if math.prod(len(c) for c in choices) > MAX_READINGS:
        return None
    readings = []
    for values in itertools.product(*choices):
        candidate = dict(zip(names, values, strict=True))
        if not check_arguments(concept, candidate, question):
            readings.append(candidate)
    return readings


async def extract_arguments(gateway: Gateway, concept: Concept, question: str, topic: str | None = None) -> Extraction:
    """The question's values for `concept`, validated and grounded; the example after one failed repair.

    No model call is made when there is nothing to read: a question without numbers, one
    about "the example", or one whose numbers cannot fill some required input.
    """
    if not numbers_in(question):
        return Extraction(dict(concept.example), "example", ["the question gives no values"], 0)
    if _ABOUT_EXAMPLE.search(question):
        return Extraction(dict(concept.example), "example", ["the question asks about the example"], 0)
    schema = extraction_schema(concept, question, topic)
    if unreadable(schema):
        return Extraction(dict(concept.example), "example", ["the question's values do not fit the inputs"], 0)
    readings = consistent_readings(concept, question, schema)
    if readings is not None and len(readings) == 1:
        return Extraction(readings[0], "question", [], 0)
    if readings:
        schema = {"enum": readings}  # the model picks among the readings that pass every check
    prompt = extraction_prompt(concept, question, schema)
    arguments, error = await _ask(gateway, prompt, schema)
    problems = [error] if arguments is None else check_arguments(concept, arguments, question)
    if arguments is not None and not problems and leaf_numbers(arguments):
        return Extraction(arguments, "question", [], 1)
    if arguments is not None and not leaf_numbers(arguments):
        problems.append("no values were read from the question")
    repair = (
        f"{prompt}{json.dumps(arguments) if arguments is not None else '(invalid)'}\n"
        f"That is wrong ({'; '.join(problems)[:300]}). Use only values written in the question.\n"
        "JSON:\n"
    )
    repaired, error = await _ask(gateway, repair, schema)
    second = [error] if repaired is None else check_arguments(concept, repaired, question)
    if repaired is not None and not second and leaf_numbers(repaired):
        return Extraction(repaired, "repaired", problems, 2)
    return Extraction(dict(concept.example), "example", problems + second, 2)


__all__ = ["Extraction", "check_arguments", "extract_arguments", "extraction_prompt", "extraction_schema", "is_flat"]
