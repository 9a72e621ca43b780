"""Bad input fails pydantic validation, and the error names the offending field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tools.concepts import CONCEPTS, get_concept

BAD: list[tuple[str, dict[str, Any], str]] = [
    ("neuron", {"x": [1, 2], "w": [1], "b": 0}, "w"),
    ("neuron", {"x": "abc", "w": [1], "b": 0}, "x"),
    ("activation", {"name": "swiglu", "gate": [1, 2], "value": [1]}, "value"),
    ("activation", {"name": "relu", "x": ["a"]}, "x"),
    ("activation", {"name": "softplus", "x": [1]}, "name"),
    ("softmax", {"logits": [1, 2], "temperature": 0}, "temperature"),
    ("normalization", {"kind": "batchnorm", "x": [1, 2]}, "kind"),
    ("normalization", {"kind": "rmsnorm", "x": []}, "x"),
    ("add_and_norm", {"x": [1, 2], "sublayer_output": [1]}, "sublayer_output"),
    ("attention", {"q": [[1, 0]], "k": [[1, 0, 0]], "v": [[1]]}, "k"),
    ("attention", {"q": [[1, 0]], "k": [[1, 0], [0, 1]], "v": [[1]]}, "v"),
    ("multi_head_attention", {"x": [[1, 2, 3]], "n_heads": 2}, "n_heads"),
    (
        "grouped_query_attention",
        {"n_layers": 1, "n_heads": 8, "n_kv_heads": 3, "head_dim": 4, "seq_len": 1},
        "n_kv_heads",
    ),
    ("positional_encoding", {"n_positions": 4, "d_model": 5}, "d_model"),
    ("rope", {"q": [1, 2], "k": [1, 2, 3, 4]}, "k"),
    ("tokenization", {"text": 5, "word_vocab": ["a"], "subword_vocab": ["a"]}, "text"),
    ("bpe", {"corpus": "low lower", "num_merges": -1}, "num_merges"),
    ("beam_search", {"start": "a", "tree": {"a": {"b": 0.7, "c": 0.6}}, "beam_width": 2, "steps": 1}, "tree"),
    ("sampling", {"probs": {"a": 0.5, "b": 0.5}, "method": "top_p", "p": 0}, "p"),
    ("sampling", {"probs": {"a": 0.5, "b": 0.5}, "method": "top_p", "p": 1.5}, "p"),
    ("sampling", {"probs": {"a": 0.5, "b": 0.2}, "method": "greedy"}, "probs"),
    ("sampling", {"probs": {"a": -0.5, "b": 1.5}, "method": "greedy"}, "probs"),
    ("sampling", {"probs": {"a": 1.0}, "method": "temperature", "temperature": -1}, "temperature"),
    ("sampling", {"probs": {"a": 1.0}, "method": "top_k"}, "k"),
    ("penalties", {"logits": {"a": 1.0}, "generated": ["b"]}, "generated"),
    ("pass_at_k", {"n": 5, "c": 6, "k": 1}, "c"),
    ("pass_at_k", {"n": 5, "c": 1, "k": 6}, "k"),
    ("parameter_count", {"n_layers": "many", "d_model": 8, "vocab_size": 10, "n_ctx": 4}, "n_layers"),
    ("layer_types", {"architecture": "encoder_only", "tgt_len": 3}, "tgt_len"),
    ("cross_entropy_perplexity", {"token_probs": [0.5, 1.5]}, "token_probs"),
    ("cross_entropy_perplexity", {"token_probs": [0.0]}, "token_probs"),
    ("ibm_model1", {"pairs": [{"source": "a"}]}, "target"),
    (
        "hmm_viterbi",
        {
            "states": ["A"],
            "observations": ["x"],
            "start_p": {"A": 0.5},
            "trans_p": {"A": {"A": 1}},
            "emit_p": {"A": {"x": 1}},
        },
        "start_p",
    ),
    ("ngram_lm", {"corpus": "a b", "k": 0}, "k"),
    ("gan_1d", {"target_std": 0}, "target_std"),
    ("vae", {"x": [1.0], "mu": [0.0, 0.0], "log_var": [0.0], "decoder_w": [[1.0, 1.0]]}, "log_var"),
    ("bradley_terry", {"items": ["a", "b"], "comparisons": [["a", "c"]]}, "comparisons"),
    ("ppo_clip", {"ratios": [1.0, 1.0], "advantages": [1.0]}, "advantages"),
    ("ppo_clip", {"ratios": [1.0], "advantages": [1.0], "epsilon": 1.5}, "epsilon"),
    ("rejection_sampling", {"prompts": [{"prompt": "p", "candidates": ["a", "b"], "scores": [1.0]}]}, "scores"),
    ("rlhf_pipeline", {"samples": [{"reward": 1.0, "logp_policy": 0.5, "logp_sft": -1.0}]}, "logp_policy"),
    ("self_consistency", {"answers": []}, "answers"),
    ("self_consistency", {"answers": ["1"], "tie_break": "random"}, "tie_break"),
    ("tree_of_thoughts_value", {"evaluations": {"t": "sure"}}, "evaluations"),
    ("position_wise_ffn", {"x": [[1, 2]], "d_ff": 2, "w1": [[1, 2, 3]]}, "w1"),
    ("swiglu_ffn", {"x": [[1, 2]], "d_ff": 0}, "d_ff"),
    ("kv_cache", {"prompt_tokens": 0, "new_tokens": 5}, "prompt_tokens"),
    ("embedding_similarity", {"vectors": {"a": [1, 0], "b": [1]}}, "vectors"),
    ("training_compute", {"n_params": -1, "n_tokens": 10}, "n_params"),
    ("pretraining_finetuning", {"prompt_token_probs": [0.5], "response_token_probs": []}, "response_token_probs"),
    ("benchmarks", {"multiple_choice": [{"logprobs": [-1, -2], "answer": 2}]}, "answer"),
    ("arena_elo", {"models": ["a", "b"], "battles": [["a", "c", "a"]]}, "battles"),
    ("prompt_patterns", {"techniques": ["mind_reading"]}, "techniques"),
    ("chain_of_thought", {"question": "2+2?", "mode": "tree"}, "mode"),
]


@pytest.mark.parametrize(("name", "raw", "field"), BAD, ids=[f"{n}-{f}-{i}" for i, (n, _, f) in enumerate(BAD)])
def test_bad_input_raises(name: str, raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        get_concept(name).execute(raw)
    assert field in str(info.value)


def test_every_concept_has_a_bad_input_case() -> None:
    assert {n for n, _, _ in BAD} == set(CONCEPTS)


@pytest.mark.parametrize("name", sorted(CONCEPTS))
def test_unknown_field_rejected(name: str) -> None:
    concept = CONCEPTS[name]
    with pytest.raises(ValidationError):
        concept.execute({**concept.example, "not_a_field": 1})
