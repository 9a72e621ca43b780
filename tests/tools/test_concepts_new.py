"""Issue 14's new concepts: every worked number in their explanations and quizzes, recomputed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tools.concepts import CONCEPTS, get_concept
from tools.concepts.benchmarks import bradley_terry_elo, elo, expected_score
from tools.concepts.feedforward import ffn_params, llama_hidden_dim
from tools.concepts.inference import tokens_processed
from tools.concepts.prompting import REPORTED, TECHNIQUES, cot_prompt, extract_answer, prompt_pair
from tools.concepts.training import PF_DAY, compute_optimal, training_flops

NEW = {
    "position_wise_ffn", "swiglu_ffn", "kv_cache", "embedding_similarity", "training_compute",
    "pretraining_finetuning", "benchmarks", "arena_elo", "prompt_patterns", "chain_of_thought",
}  # fmt: skip


def run(name: str, /, **raw: object) -> dict:
    return get_concept(name).execute(raw)


def test_the_registry_has_the_new_concepts_and_at_least_40() -> None:
    assert NEW <= set(CONCEPTS) and len(CONCEPTS) >= 40


def test_position_wise_ffn_is_per_position() -> None:
    out = get_concept("position_wise_ffn").execute(get_concept("position_wise_ffn").example)
    assert out["same_as_one_position_at_a_time"] and out["reversing_positions_reverses_output"]
    assert ffn_params(512, 2048) == 2_099_712 == out["base_transformer_params_per_layer"]
    identity = run("position_wise_ffn", x=[[1.0, -2.0]], d_ff=2, w1=[[1, 0], [0, 1]], w2=[[1, 0], [0, 1]])
    assert identity["output"] == [[1.0, 0.0]]  # ReLU zeroes the negative feature


def test_swiglu_block_by_hand_and_llama_width() -> None:
    out = run("swiglu_ffn", x=[[2.0, 1.0]], d_ff=1, w=[[1.0], [0.0]], v=[[0.0], [3.0]], w2=[[1.0, -1.0]])
    swish2 = 2.0 / (1.0 + math.exp(-2.0))  # Swish_1(xW) with xW = 2
    assert out["gate"][0][0] == pytest.approx(swish2) and out["value"][0][0] == 3.0
    assert out["output"][0] == pytest.approx([3 * swish2, -3 * swish2])
    assert llama_hidden_dim(4096) == 11008 and 3 * 4096 * 11008 == 135_266_304 and 8 * 4096**2 == 134_217_728
    assert out["llama_7b"] == {"d_model": 4096, "d_ff": 11008, "params": 135_266_304, "relu_4d_params": 134_217_728}
    with pytest.raises(ValueError, match="w must be 2 × 1"):
        run("swiglu_ffn", x=[[2.0, 1.0]], d_ff=1, w=[[1.0, 2.0]])


def test_kv_cache_counts() -> None:
    out = run("kv_cache", prompt_tokens=100, new_tokens=50)
    assert out["total_without_cache"] == 6225 == 50 * 100 + 50 * 49 // 2 and out["total_with_cache"] == 149
    assert out["cache_bytes_per_token"] == 524_288  # LLaMA 7B: 2 × 32 × 32 × 128 × 2 bytes
    assert 524_288 * 4096 == 2 * 2**30
    assert tokens_processed(3, 4, cached=False) == [3, 4, 5, 6] and tokens_processed(3, 4, cached=True) == [3, 1, 1, 1]


def test_embedding_similarity_and_analogy() -> None:
    out = get_concept("embedding_similarity").execute(get_concept("embedding_similarity").example)
    assert out["analogy"]["answer"] == "queen" and out["analogy"]["cosine"] == pytest.approx(1.0)
    pair = run("embedding_similarity", vectors={"a": [1, 0], "b": [1, 1]})
    assert pair["cosine"]["a"]["b"] == pytest.approx(1 / math.sqrt(2))
    with pytest.raises(ValueError, match="zero vector"):
        run("embedding_similarity", vectors={"a": [0, 0], "b": [1, 1]})


def test_training_compute_gpt3_and_chinchilla() -> None:
    out = get_concept("training_compute").execute(get_concept("training_compute").example)
    assert out["flops"] == pytest.approx(3.15e23) == training_flops(175e9, 300e9)
    assert round(out["pf_days"]) == 3646 and PF_DAY == 8.64e19  # Brown et al. Table D.1: 3.14e23, 3.64e3
    n, d = compute_optimal(3.15e23)
    assert round(n / 1e9) == 51 and d == pytest.approx(20 * n) and round(d / 1e12, 2) == 1.02
    assert out["tokens_per_param"] == pytest.approx(300 / 175)
    timed = run("training_compute", n_params=1e9, n_tokens=20e9, flops_per_second=1e15, utilization=0.5)
    assert timed["days_on_one_device"] == pytest.approx(1.2e20 / 5e14 / 86400)


def test_pretraining_and_sft_losses() -> None:
    out = run("pretraining_finetuning", prompt_token_probs=[0.25], response_token_probs=[0.5, 0.5])
    assert out["pretraining"]["loss"] == pytest.approx((math.log(4) + 2 * math.log(2)) / 3)
    assert out["sft"] == {"targets": 2, "masked": 1, "loss": pytest.approx(math.log(2))}


def test_benchmark_scoring_rules() -> None:
    out = get_concept("benchmarks").execute(get_concept("benchmarks").example)
    assert out["multiple_choice"]["picks"] == [1, 2, 1]  # per-token: -9/6, -12/9, -7.5/3, -11/8 -> choice 1
    assert out["multiple_choice"]["accuracy"] == pytest.approx(2 / 3) and out["multiple_choice"]["chance"] == 0.25
    probs = np.exp([-3.0, -4.0, -2.5, -5.0])
    assert out["truthfulqa"] == {"mc1": 0.0, "mc2": pytest.approx(probs[:2].sum() / probs.sum())}
    assert out["superglue"]["per_task"] == {"BoolQ": 80.0, "CB": 92.0, "MultiRC": 50.0}
    assert out["superglue"]["score"] == pytest.approx(74.0) and out["mt_bench"]["score"] == 7.5
    with pytest.raises(ValueError, match=r"1\.\.10"):
        run("benchmarks", mt_bench=[11])


def test_arena_elo_and_bradley_terry() -> None:
    assert expected_score(1000, 1000) == 0.5
    assert elo(["a", "b"], [("a", "b", "a")], 4.0, 1000.0) == {"a": 1002.0, "b": 998.0}
    battles = [("a", "b", "a")] * 3 + [("a", "b", "b")]
    bt = bradley_terry_elo(["a", "b"], battles, 3000, 1000.0)
    assert bt["a"] - bt["b"] == pytest.approx(400 * math.log10(3), abs=0.5)  # 190.8 for a 75% win rate
    out = get_concept("arena_elo").execute(get_concept("arena_elo").example)
    assert out["elo"] != out["elo_reversed_order"]  # online Elo depends on the order of battles
    assert out["ranking"] == ["model-x", "model-y", "model-z"]
    reordered = run(
        "arena_elo",
        **{**get_concept("arena_elo").example, "battles": get_concept("arena_elo").example["battles"][::-1]},
    )
    assert reordered["bradley_terry"] == pytest.approx(out["bradley_terry"], abs=1e-6)


def test_prompt_patterns_follow_the_notes_list() -> None:
    out = get_concept("prompt_patterns").execute({})
    tricks = [row["trick"] for row in out["pairs"]]
    assert [t.split(": ")[1] for t in tricks] == [
        "Be Descriptive (More is better)", "Give Examples", "Use Structured Text", "Chain of Thought",
        "Chatbot Personas", "Flipped Approach", "Reflect, Review, and Refine",
    ]  # fmt: skip
    assert len(TECHNIQUES) == 7
    checked = get_concept("prompt_patterns").execute(get_concept("prompt_patterns").example)["pairs"]
    assert [row["effect"] for row in checked] == [{"without": False, "with": True}, {"without": False, "with": True}]
    assert prompt_pair("reflect").follow_up and prompt_pair("persona").system
    assert prompt_pair("persona").without == prompt_pair("persona").with_technique  # only the system message differs


def test_chain_of_thought_prompts_and_answers() -> None:
    out = get_concept("chain_of_thought").execute(get_concept("chain_of_thought").example)
    assert out["answer"] == "9" and "The answer is 11." in out["prompt"] and "5 + 6 = 11" in out["prompt"]
    assert "23 - 20" not in out["prompt"]  # the question's own steps are never in the prompt
    zero = run("chain_of_thought", question="What is 2 + 3?", mode="zero_shot_cot", completion="2 plus 3 is 5.")
    assert zero["prompt"].endswith("A: Let's think step by step.")
    assert zero["answer_extraction_prompt"].endswith("Therefore, the answer (arabic numerals) is")
    assert zero["answer"] == "5" and "5 + 6" not in cot_prompt("x", "standard")
    assert extract_answer("so 1,200 in all. The answer is 1,250.") == "1250" and extract_answer("none") is None
    assert out["reported_gains_points"] == {
        "wei_palm_540b_gsm8k": 39.0, "kojima_text_davinci_002_multiarith": 61.0, "kojima_text_davinci_002_gsm8k": 30.3,
    }  # fmt: skip
    assert REPORTED["wei_palm_540b_gsm8k"] == {"standard": 17.9, "chain_of_thought": 56.9}
