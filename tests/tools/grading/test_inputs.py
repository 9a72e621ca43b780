"""Reading a concept's inputs out of a question, from its input model's fields alone."""

from __future__ import annotations

from tools.concepts import get_concept
from tools.grading.inputs import field_kind, parse_inputs


def parse(concept: str, question: str) -> dict[str, object] | None:
    return parse_inputs(question, get_concept(concept).input_model)


def test_assignments_tuples_and_choices() -> None:
    assert parse("neuron", "For x=(2,3,1), w=(0.5,-1,0.3), b=1 and a sigmoid activation, what is y?") == {
        "x": [2.0, 3.0, 1.0], "w": [0.5, -1.0, 0.3], "b": 1.0, "activation": "sigmoid",
    }  # fmt: skip
    assert parse("normalization", "What is LayerNorm of (3, 4, 5)?") == {"kind": "layernorm", "x": [3.0, 4.0, 5.0]}


def test_named_probabilities_and_a_suffix_name() -> None:
    question = "With apple 0.4, banana 0.3, cherry 0.2, date 0.1 and top-p sampling with p = 0.8, which are kept?"
    parsed = parse("sampling", question)
    assert parsed is not None
    assert parsed["probs"] == {"apple": 0.4, "banana": 0.3, "cherry": 0.2, "date": 0.1}
    assert parsed["method"] == "top_p" and parsed["p"] == 0.8


def test_call_form_and_at_notation() -> None:
    assert parse("activation", "What is GELU(1) exactly?") == {"name": "gelu", "x": [1.0]}
    assert parse("pass_at_k", "What is pass@2 for n = 4, c = 1?") == {"n": 4.0, "c": 1.0, "k": 2}


def test_inputs_that_do_not_validate_give_none() -> None:
    assert (
        parse("grouped_query_attention", "With 64 query heads and 8 kv heads, which kv head does head 13 use?") is None
    )
    assert parse("neuron", "Why is a non-linear activation needed?") is None


def test_field_kinds() -> None:
    fields = get_concept("sampling").input_model.model_fields
    assert field_kind(fields["probs"].annotation) == "number_map"
    assert field_kind(fields["method"].annotation) == "choice"
    assert field_kind(fields["p"].annotation) == "number"
