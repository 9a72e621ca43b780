"""One answer normaliser: the concept lab's self-consistency vote folds answers exactly as CoT-SC does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tools.concepts import get_concept
from tools.evals.answers import normalize_answer

#: Forms the concept lab's own float-based normaliser folded differently from the strategy's.
SAMPLES = ["**18**", "18", "$18.00", "18,", "-$5", "-5", "1,00", "`Paris`", "paris.", "0.1", "1e3"]


def test_the_concept_votes_with_the_strategy_normaliser() -> None:
    out = get_concept("self_consistency").execute({"answers": SAMPLES})
    assert out["normalized"] == [normalize_answer(a) for a in SAMPLES]
    assert out["votes"]["18"] == 4 and out["votes"]["-5"] == 2 and out["votes"]["paris"] == 2
    assert "1,00" in out["votes"]  # not a thousands grouping, so not the number 100


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9))
def test_concept_and_strategy_agree_on_every_written_number(d: object) -> None:
    forms = [str(d), f"**{d}**", f"{d}."]
    out = get_concept("self_consistency").execute({"answers": forms})
    assert out["normalized"] == [normalize_answer(f) for f in forms] and len(out["votes"]) == 1
