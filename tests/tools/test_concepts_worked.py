"""Worked examples with expected values derived by hand from the papers' formulas (not from the notes)."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest

from tools.concepts import get_concept


def run(concept_name: str, /, **raw: object) -> dict:
    return get_concept(concept_name).execute(raw)


def test_neuron_notes_example_sign_fixed() -> None:
    out = run("neuron", x=[2, 3, 1], w=[0.5, -1, 0.3], b=1, activation="sigmoid")
    assert out["z"] == pytest.approx(-0.7)
    assert out["y"] == pytest.approx(1 / (1 + math.e**0.7)) == pytest.approx(0.331812, abs=1e-6)
    assert run("neuron", x=[2, 3, 1], w=[0.5, -1, 0.3], b=1, activation="relu")["y"] == 0.0


def test_activations() -> None:
    assert run("activation", name="gelu", x=[1.0])["y"][0] == pytest.approx(0.8413447460685429, abs=1e-12)
    assert run("activation", name="gelu_tanh", x=[1.0])["y"][0] == pytest.approx(0.841192, abs=1e-6)
    # GELU has a stationary point (its minimum) near x = -0.7518: not "non-zero derivatives everywhere"
    ys = run("activation", name="gelu", x=[-0.7518 - 1e-4, -0.7518, -0.7518 + 1e-4])["y"]
    assert ys[1] <= ys[0] and ys[1] <= ys[2] and ys[1] == pytest.approx(-0.16997, abs=1e-4)
    assert run("activation", name="elu", x=[-1.0, 2.0])["y"] == pytest.approx([math.exp(-1) - 1, 2.0])
    assert run("activation", name="elu", x=[-1.0], alpha=2.0)["y"][0] == pytest.approx(2 * (math.exp(-1) - 1))
    assert run("activation", name="swish", x=[1.0])["y"][0] == pytest.approx(0.7310585786)
    assert run("activation", name="relu", x=[-3.0, 0.5])["y"] == [0.0, 0.5]
    # SwiGLU = Swish(gate) * value, a product, not x*sigmoid(x) + x*tanh(x)
    y = run("activation", name="swiglu", gate=[1.0, 0.0, -2.0], value=[2.0, 5.0, 1.0])["y"]
    assert y == pytest.approx([2 * 0.7310585786, 0.0, -2 / (1 + math.e**2)])


def test_normalization_notes_example() -> None:
    ln = run("normalization", kind="layernorm", x=[3, 4, 5], eps=1e-12)
    assert ln["std"] == pytest.approx(math.sqrt(2 / 3))
    assert ln["y"] == pytest.approx([-math.sqrt(1.5), 0.0, math.sqrt(1.5)], abs=1e-9)
    rms = run("normalization", kind="rmsnorm", x=[3, 4, 5], eps=1e-12)
    assert rms["rms"] == pytest.approx(math.sqrt(50 / 3))
    assert rms["y"] == pytest.approx([0.7348469, 0.9797959, 1.2247449], abs=1e-6)
    assert run("normalization", kind="rmsnorm", x=[-2, 2], eps=1e-12)["y"] == pytest.approx([-1, 1])


def test_add_and_norm() -> None:
    out = run("add_and_norm", x=[1, 2, 3], sublayer_output=[0.5, -0.5, 1], eps=1e-12)
    assert out["residual"] == [1.5, 1.5, 4.0]
    assert out["y"] == pytest.approx([-1 / math.sqrt(2), -1 / math.sqrt(2), math.sqrt(2)], abs=1e-9)


def test_softmax_values() -> None:
    p = run("softmax", logits=[0.0, math.log(3)])["probs"]
    assert p == pytest.approx([0.25, 0.75])
    hot = run("softmax", logits=[1.0, 2.0], temperature=0.5)["probs"]
    assert hot[1] == pytest.approx(1 / (1 + math.e**-2))


def test_attention_by_hand() -> None:
    out = run("attention", q=[[1, 0], [0, 1]], k=[[1, 0], [0, 1]], v=[[1, 0], [0, 1]], causal=False)
    a = math.exp(1 / math.sqrt(2))
    assert out["weights"][0] == pytest.approx([a / (a + 1), 1 / (a + 1)])
    causal = run("attention", q=[[1, 0], [0, 1]], k=[[1, 0], [0, 1]], v=[[1, 0], [0, 1]], causal=True)
    assert causal["weights"][0] == [1.0, 0.0]
    assert causal["scores"][0][1] is None
    # one query against two keys: it is the last position, so sees both
    last = run("attention", q=[[0, 1]], k=[[1, 0], [0, 1]], v=[[1, 0], [0, 1]], causal=True)
    assert last["weights"][0] == pytest.approx([1 / (a + 1), a / (a + 1)])


def test_multi_head_splits_and_concatenates() -> None:
    x = [[1.0, 0.0, 2.0, 1.0], [0.0, 1.0, 1.0, -1.0], [1.0, 1.0, 0.0, 0.0]]
    eye = np.eye(4).tolist()
    out = run("multi_head_attention", x=x, n_heads=2, causal=True, w_q=eye, w_k=eye, w_v=eye, w_o=eye)
    assert out["d_head"] == 2
    for h in range(2):
        cols = [row[2 * h : 2 * h + 2] for row in x]
        single = run("attention", q=cols, k=cols, v=cols, causal=True)
        assert np.allclose(out["heads"][h]["weights"], single["weights"])
        assert np.allclose([row[2 * h : 2 * h + 2] for row in out["concat"]], single["output"])
    assert np.allclose(out["output"], out["concat"])
    seeded = run("multi_head_attention", x=x, n_heads=2, seed=7)
    assert seeded == run("multi_head_attention", x=x, n_heads=2, seed=7)


def test_gqa_llama2_70b() -> None:
    out = run("grouped_query_attention", n_layers=80, n_heads=64, n_kv_heads=8, head_dim=128, seq_len=4096)
    assert out["group_size"] == 8
    assert out["head_to_kv_group"][13] == 1 and out["head_to_kv_group"][63] == 7
    assert out["kv_cache_gib"] == pytest.approx({"mha": 10.0, "gqa": 1.25, "mqa": 0.15625})
    assert out["reduction_vs_mha"] == 8


def test_positional_encoding_values() -> None:
    pe = run("positional_encoding", n_positions=3, d_model=4)["pe"]
    assert pe[0] == [0.0, 1.0, 0.0, 1.0]
    assert pe[1] == pytest.approx([math.sin(1), math.cos(1), math.sin(0.01), math.cos(0.01)])
    assert pe[2][2] == pytest.approx(math.sin(2 / 100))


def test_rope_two_dims() -> None:
    out = run("rope", q=[1.0, 0.0], k=[1.0, 0.0], offset=1, starts=[0, 3, 10])
    for pair in out["pairs"]:
        assert pair["score"] == pytest.approx(math.cos(1.0))
    assert out["max_abs_deviation"] < 1e-12
    assert out["rotated_q_at_first_m"] == pytest.approx([math.cos(1.0), math.sin(1.0)])


def test_tokenization_example() -> None:
    concept = get_concept("tokenization")
    out = concept.execute(concept.example)
    assert out["word"]["oov"] == ["boys", "unbelievable"]
    assert out["subword"]["tokens"] == ["the", "boy", "s", "found", "it", "un", "believ", "able", "."]
    assert out["subword"]["n_unk"] == 0
    assert out["char"]["n_unk"] == 0 and out["char"]["n_tokens"] == len("theboysfounditunbelievable.")
    odd = run("tokenization", text="zebra", word_vocab=["a"], subword_vocab=["a", "b"])
    assert odd["subword"]["tokens"] == ["[UNK]"] and odd["subword"]["oov"] == ["zebra"]


def test_bpe_sennrich_corpus() -> None:
    concept = get_concept("bpe")
    out = concept.execute(concept.example)
    assert out["merges"][:5] == [["e", "s"], ["es", "t"], ["est", "</w>"], ["l", "o"], ["lo", "w"]]
    assert out["merges"][5:9] == [["e", "w"], ["ew", "est</w>"], ["n", "ewest</w>"], ["low", "</w>"]]
    assert out["tokens"] == ["low", "est</w>", " ", "n", "ew", "e", "r", "</w>"]
    assert out["decoded"] == "lowest newer"
    few = run("bpe", corpus="ab ab", num_merges=10)
    assert few["merges"] == [["a", "b"], ["ab", "</w>"]]  # stops when no pair repeats


def test_beam_search_notes_example() -> None:
    concept = get_concept("beam_search")
    out = concept.execute(concept.example)
    assert [b["text"] for b in out["history"][0]] == ["The cat is", "The cat sat", "The cat runs"]
    beams = out["beams"]
    assert [b["text"] for b in beams] == ["The cat is sleeping", "The cat sat on", "The cat is eating"]
    assert [b["prob"] for b in beams] == pytest.approx([0.42, 0.15, 0.12])
    assert "The cat is running" not in [b["text"] for b in beams]
    greedy = concept.execute({**concept.example, "beam_width": 1, "steps": 5})
    assert greedy["beams"] == [{"text": "The cat is sleeping", "prob": pytest.approx(0.42), "finished": True}]


def test_sampling_methods() -> None:
    probs = {"apple": 0.4, "banana": 0.3, "cherry": 0.2, "date": 0.1}
    top_p = run("sampling", probs=probs, method="top_p", p=0.8)["candidates"]
    assert top_p == pytest.approx({"apple": 4 / 9, "banana": 3 / 9, "cherry": 2 / 9})
    assert run("sampling", probs=probs, method="top_p", p=0.7)["candidates"] == pytest.approx(
        {"apple": 4 / 7, "banana": 3 / 7}
    )
    assert run("sampling", probs=probs, method="top_p", p=1.0)["candidates"] == pytest.approx(probs)
    assert run("sampling", probs=probs, method="top_k", k=2)["candidates"] == pytest.approx(
        {"apple": 4 / 7, "banana": 3 / 7}
    )
    assert run("sampling", probs=probs, method="greedy")["candidates"] == {"apple": 1.0}
    temp = run("sampling", probs=probs, method="temperature", temperature=0.5)["candidates"]
    assert temp == pytest.approx({"apple": 0.16 / 0.3, "banana": 0.09 / 0.3, "cherry": 0.04 / 0.3, "date": 0.01 / 0.3})
    scaled = run("sampling", probs={"a": 0.3, "b": 0.3}, method="top_k", k=1, normalize=True)
    assert scaled["candidates"] == {"a": 1.0}
    drawn = run("sampling", probs=probs, method="top_p", p=0.8, seed=3)["sample"]
    assert drawn in top_p and drawn == run("sampling", probs=probs, method="top_p", p=0.8, seed=3)["sample"]


def test_penalties_openai_formula() -> None:
    concept = get_concept("penalties")
    out = concept.execute(concept.example)
    assert out["counts"] == {"the": 2, "cat": 1, "dog": 0, "sat": 0}
    assert out["adjusted_logits"] == pytest.approx({"the": 0.7, "cat": 0.7, "dog": 1.0, "sat": 0.5})
    assert out["probs_after"]["the"] < out["probs_before"]["the"]
    assert sum(out["probs_after"].values()) == pytest.approx(1.0)


def test_pass_at_k_values() -> None:
    assert run("pass_at_k", n=4, c=1, k=2)["pass_at_k"] == pytest.approx(0.5)
    assert run("pass_at_k", n=10, c=3, k=1)["pass_at_k"] == pytest.approx(0.3)
    assert run("pass_at_k", n=5, c=4, k=2)["pass_at_k"] == 1.0
    assert run("pass_at_k", n=5, c=0, k=5)["pass_at_k"] == 0.0
    out = run("pass_at_k", n=200, c=13, k=10)
    exact = 1 - math.comb(187, 10) / math.comb(200, 10)
    assert out["pass_at_k"] == pytest.approx(exact, rel=1e-12)
    assert out["naive_estimate"] < out["pass_at_k"]


def test_parameter_count_gpt3_and_gpt2() -> None:
    gpt3 = run("parameter_count", n_layers=96, d_model=12288, vocab_size=50257, n_ctx=2048)
    assert gpt3["total"] == 174_604_259_328
    assert gpt3["total"] == pytest.approx(174.6e9, rel=0.005)
    assert gpt3["breakdown"]["per_layer"] == 12 * 12288**2 + 13 * 12288
    # GPT-2 small (124M): the well-known exact count
    assert run("parameter_count", n_layers=12, d_model=768, vocab_size=50257, n_ctx=1024)["total"] == 124_439_808


@pytest.mark.parametrize(
    ("layers", "d", "n_params"),
    [(12, 768, 125e6), (24, 1024, 350e6), (24, 1536, 760e6), (24, 2048, 1.3e9), (32, 2560, 2.7e9),
     (32, 4096, 6.7e9), (40, 5120, 13.0e9), (96, 12288, 175.0e9)],
)  # fmt: skip
def test_parameter_count_matches_gpt3_table(layers: int, d: int, n_params: float) -> None:
    total = run("parameter_count", n_layers=layers, d_model=d, vocab_size=50257, n_ctx=2048)["total"]
    assert total == pytest.approx(n_params, rel=0.02)


def test_layer_types_masks() -> None:
    dec = run("layer_types", architecture="decoder_only", src_len=2, tgt_len=1)
    assert dec["masks"]["decoder_self_attention"] == [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    encdec = run("layer_types", architecture="encoder_decoder", src_len=4, tgt_len=2)
    assert encdec["masks"]["cross_attention"] == [[1, 1, 1, 1], [1, 1, 1, 1]]
    assert run("layer_types", architecture="encoder_only", src_len=2)["masks"] == {
        "encoder_self_attention": [[1, 1], [1, 1]]
    }


def test_cross_entropy_perplexity() -> None:
    out = run("cross_entropy_perplexity", token_probs=[0.25] * 4)
    assert out["perplexity"] == pytest.approx(4.0)
    assert out["cross_entropy_bits"] == pytest.approx(2.0)


def test_ibm_model1_first_iteration_and_convergence() -> None:
    pairs = [
        {"source": "das Haus", "target": "the house"},
        {"source": "das Buch", "target": "the book"},
        {"source": "ein Buch", "target": "a book"},
    ]
    one = run("ibm_model1", pairs=pairs, iterations=1)["t"]
    assert one["the"] == pytest.approx({"das": 0.5, "haus": 0.25, "buch": 0.25})
    assert one["house"] == pytest.approx({"das": 0.5, "haus": 0.5})
    assert one["book"] == pytest.approx({"das": 0.25, "buch": 0.5, "ein": 0.25})
    many = run("ibm_model1", pairs=pairs, iterations=20)
    assert many["t"]["the"]["das"] > 0.9 and many["t"]["book"]["buch"] > 0.9
    lls = [h["log_likelihood"] for h in many["history"]]
    assert all(b >= a - 1e-12 for a, b in pairwise(lls))  # EM never decreases it
    aligned = {(a["source"], a["target"]) for sent in many["final_alignments"] for a in sent}
    assert aligned == {("das", "the"), ("haus", "house"), ("buch", "book"), ("ein", "a")}
    with_null = run("ibm_model1", pairs=pairs, iterations=2, null=True)["t"]
    assert "NULL" in with_null


def test_viterbi_textbook_example() -> None:
    concept = get_concept("hmm_viterbi")
    out = concept.execute(concept.example)
    assert out["path"] == ["Healthy", "Healthy", "Fever"]
    assert out["prob"] == pytest.approx(0.01512)
    assert out["log_prob"] == pytest.approx(math.log(0.01512))
    assert out["trellis_log"][1] == pytest.approx({"Healthy": math.log(0.084), "Fever": math.log(0.027)})


def test_ngram_bigram_by_hand() -> None:
    concept = get_concept("ngram_lm")
    out = concept.execute(concept.example)
    assert out["vocab_size"] == 7  # the cat sat ran dog </s> <unk>
    assert [s["prob"] for s in out["scored"]] == pytest.approx([4 / 10, 3 / 10, 2 / 9, 3 / 9])
    assert out["perplexity"] == pytest.approx((8100 / 72) ** 0.25)
    assert out["generated"] == "cat ran"  # P(sat|cat) = P(ran|cat) = 2/9; alphabetical tie-break, then </s>


def test_gan_learns_target() -> None:
    concept = get_concept("gan_1d")
    out = concept.execute(concept.example)
    assert out["generated_mean"] == pytest.approx(3.0, abs=0.15)
    assert out["generated_std"] == pytest.approx(1.0, abs=0.2)
    assert out["losses"][-1]["d_loss"] == pytest.approx(2 * math.log(2), abs=0.05)


def test_vae_elbo_by_hand() -> None:
    concept = get_concept("vae")
    out = concept.execute(concept.example)
    var = math.exp(-1.0)
    kl = 0.5 * (var + 0.8**2 - 1 + 1.0)
    recon = -math.log(2 * math.pi) - 0.5 * ((1 - 0.96) ** 2 + (-0.5 + 0.48) ** 2 + (1.44 + 0.36) * var)
    assert out["kl"] == pytest.approx(kl)
    assert out["recon_log_lik_exact"] == pytest.approx(recon)
    assert out["elbo_exact"] == pytest.approx(recon - kl)
    assert out["recon_log_lik_mc"] == pytest.approx(recon, abs=0.05)
    assert out["first_z"][0] == pytest.approx(0.8 + math.exp(-0.5) * out["first_eps"][0])
    prior = run("vae", x=[0.0], mu=[0.0], log_var=[0.0], decoder_w=[[1.0]])
    assert prior["kl"] == 0.0
    assert run("vae", x=[0.0], mu=[1.0], log_var=[0.0], decoder_w=[[1.0]])["kl"] == pytest.approx(0.5)


def test_bradley_terry_mle() -> None:
    out = run("bradley_terry", items=["a", "b"], comparisons=[["a", "b"]] * 3 + [["b", "a"]], lr=1.0, steps=3000)
    assert out["rewards"]["a"] - out["rewards"]["b"] == pytest.approx(math.log(3), abs=1e-6)
    assert out["pairwise_prob"]["a > b"] == pytest.approx(0.75, abs=1e-6)
    assert sum(out["rewards"].values()) == pytest.approx(0.0, abs=1e-12)


def test_ppo_clip_cases() -> None:
    concept = get_concept("ppo_clip")
    out = concept.execute(concept.example)
    rows = out["per_sample"]
    assert [r["objective"] for r in rows] == pytest.approx([1.2, 0.5, -0.8, -1.5, 2.2])
    assert [r["active"] for r in rows] == ["clipped", "unclipped", "clipped", "unclipped", "unclipped"]
    assert out["objective"] == pytest.approx(0.32)


def test_rejection_sampling() -> None:
    concept = get_concept("rejection_sampling")
    out = concept.execute(concept.example)
    first = out["per_prompt"][0]
    assert first["best"] == "It rescales by the root mean square."
    assert first["expected_best_of_n"] == pytest.approx([0.2, 1.0, 1.4])
    assert first["gain_over_median"] == pytest.approx(1.2)
    assert len(out["fine_tuning_set"]) == 2
    strict = concept.execute({**concept.example, "threshold": 1.0})
    assert [p["kept"] for p in strict["per_prompt"]] == [True, False]


def test_rlhf_penalised_reward() -> None:
    concept = get_concept("rlhf_pipeline")
    out = concept.execute(concept.example)
    assert [r["penalised_reward"] for r in out["per_sample"]] == pytest.approx([1.14, 0.41])
    assert len(out["stages"]) == 3


def test_self_consistency_vote_and_ties() -> None:
    concept = get_concept("self_consistency")
    out = concept.execute(concept.example)
    assert out["winner"] == "18" and out["votes"]["18"] == 3 and out["agreement"] == pytest.approx(0.5)
    assert not out["tie"]
    tie = run("self_consistency", answers=["b", "a", "a", "b"])
    assert tie["tie"] and tie["winner"] == "b" and tie["tied_answers"] == ["b", "a"]
    assert run("self_consistency", answers=["b", "a", "a", "b"], tie_break="lexicographic")["winner"] == "a"
    assert run("self_consistency", answers=["$1,000.00", "1000", "1e3"])["votes"] == {"1000": 2, "1e3": 1}


def test_tree_of_thoughts_values() -> None:
    concept = get_concept("tree_of_thoughts_value")
    out = concept.execute(concept.example)
    values = list(out["values"].values())
    assert values == pytest.approx([41.0, 22.0, 1.002])
    assert out["selected"] == list(out["values"])[:2]
    # the worked example is sound: the states kept can still make 24 from 4 9 10 13, the pruned one cannot
    assert [out["can_reach_24"][t] for t in out["ranking"]] == [True, True, False]
