"""Issue 14's second audit: every erratum is well-formed, and the numbers behind the errata and behind our
corrected statements are recomputed here from the notes' own text and the sources' definitions."""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction

import pytest

from agents.knowledge import load_notes
from tools.concepts import get_concept, list_concepts
from tools.concepts.decoding import GREEDY_BEATS_BEAM
from tools.concepts.reasoning import reaches
from tools.course import KINDS, Erratum, erratum_kind, line_refs, split_lines

NOTES = split_lines(load_notes())
ERRATA = [(c.name, e) for c in list_concepts() for e in c.errata]


def notes_line(number: int) -> str:
    return NOTES[number - 1]


def test_every_erratum_is_structured_and_cites_real_lines() -> None:
    assert len(ERRATA) >= 57
    for name, erratum in ERRATA:
        assert erratum.kind in KINDS, name
        assert erratum_kind(erratum.text) == erratum.kind
        refs = line_refs(erratum.text)
        assert refs and all(1 <= a <= b <= len(NOTES) for a, b in refs), erratum.text
        assert all(any(notes_line(n).strip() for n in range(a, b + 1)) for a, b in refs), erratum.text
        assert erratum.cited.strip() and erratum.notes.strip() and erratum.source.strip()
    assert {e.kind for _, e in ERRATA} == set(KINDS)


def test_each_erratum_quotes_words_that_are_on_its_lines() -> None:
    """A quote of the notes in an erratum appears (up to markdown) on one of the lines it cites."""
    for _, erratum in ERRATA:
        cited = " ".join(notes_line(n) for a, b in erratum.refs for n in range(a, b + 1))
        flat = " ".join(cited.replace("\\", "").replace("*", "").split()).lower()
        quotes = [q for q in erratum.notes.split("'")[1::2] if len(q) >= 6 and "..." not in q]
        for quote in quotes:
            words = [w for w in quote.lower().replace("(", " ").replace(")", " ").split() if len(w) > 3]
            assert all(w.strip(".,;") in flat for w in words), (erratum.lines, quote)


def test_erratum_rejects_bad_kinds_and_lines() -> None:
    with pytest.raises(ValueError, match="kind"):
        Erratum("12", "misleading", "a", "b", "c")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lines"):
        Erratum("twelve", "wrong", "a", "b", "c")
    assert Erratum("1152-1154 and 1160-1164", "wrong", "a", "b", "c").refs == [(1152, 1154), (1160, 1164)]
    assert Erratum("451", "outdated", "x", "y", "Src").text == "Line 451 (outdated): x. Src: y."


def test_the_withdrawn_13b_erratum_is_gone_and_the_table_is_recomputed() -> None:
    """The notes copy Table 2.1 (d_model 5140 for 13B); that is the paper's own figure, not a notes error."""
    assert "5140" in notes_line(1091)
    assert not any("1091" in e.lines for _, e in ERRATA)
    count = get_concept("parameter_count")
    at = {
        d: count.execute({"n_layers": 40, "d_model": d, "vocab_size": 50257, "n_ctx": 2048})["total"]
        for d in (5120, 5140)
    }
    assert round(at[5120] / 1e9, 2) == 12.85 and round(at[5140] / 1e9, 2) == 12.95
    big = count.execute(count.example)["total"]
    assert round(big / 1e9, 1) == 174.6 < 175  # 'over 175 billion parameters' (line 843) is not what the shape gives


def test_gpt3_table_rows_where_d_head_is_not_d_model_over_heads() -> None:
    rows = [line.split("\t") for line in NOTES[1084:1092]]
    bad = [r[0] for r in rows if float(r[3]) / float(r[4]) != float(r[5])]
    assert bad == ["GPT-3 XL", "GPT-3 13B"]  # 6 of 8 rows hold: 'typically' is imprecise, not wrong
    assert rows[0][6] == "0.5M" and "batch size in tokens" in notes_line(1094)
    assert 0.5e6 / 2048 == pytest.approx(244.14, abs=0.01) and 3.2e6 / 2048 == 1562.5


def test_bpe_walkthrough_pairs_recomputed() -> None:
    sentence = "The quick brown fox jumps over the lazy dog."
    assert sentence in notes_line(751)
    pairs = Counter(sentence[i : i + 2] for i in range(len(sentence) - 1))
    assert {p: n for p, n in pairs.items() if n > 1} == {"he": 2, "e ": 2}
    assert pairs["th"] == pairs["er"] == 1
    after = sentence.replace("th", "$").replace("er", "#")
    assert after == notes_line(773).strip().strip('"').replace("\\$", "$")
    left = Counter(after[i : i + 2] for i in range(len(after) - 1))
    assert {p: n for p, n in left.items() if n > 1} == {"e ": 2}  # 'no more repeated pairs' (line 775) is false
    assert "ZYdZYac".count("ZY") == 2  # 'the only byte pair left is ac' (line 747) overlooks ZY
    assert "aaabdaaaabac".replace("aa", "Z") == "ZabdZZbac" != "ZabdZabac" == "aaabdaaabac".replace("aa", "Z")


def test_cot_code_list_has_two_steps_not_three() -> None:
    """Lines 1719-1723: a missing comma joins two strings, so the 'three steps' are two."""
    code = "\n".join(NOTES[1718:1723])
    namespace: dict[str, object] = {}
    exec(code, namespace)  # the notes' own literal, nothing else
    steps = namespace["cot_steps"]
    assert isinstance(steps, list) and len(steps) == 2
    assert "mission.Based on historical records" in steps[1]


def test_notes_chat_completion_call_no_longer_runs_on_current_openai() -> None:
    """Lines 1771-1779: openai.ChatCompletion was removed in openai 1.0; the installed client refuses the call."""
    openai = pytest.importorskip("openai")
    assert int(openai.__version__.split(".")[0]) >= 1
    assert "openai.ChatCompletion.create(" in notes_line(1779)
    with pytest.raises(Exception) as raised:
        openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}])
    assert type(raised.value).__name__ == "APIRemovedInV1"


def test_gpt35_average_in_the_benchmark_table_does_not_match_its_row() -> None:
    row = notes_line(1603).split("\t")
    assert row[0] == "GPT-3.5" and row[1] == "65.46%"
    scores = [float(v.rstrip("%")) for v in row[2:]]
    assert round(sum(scores) / len(scores), 2) == 60.23
    for number in range(1595, 1605):  # every other row's average is its own mean
        cells = notes_line(number).split("\t")
        if cells[0] != "GPT-3.5":
            mean = sum(float(v.rstrip("%")) for v in cells[2:]) / 6
            assert f"{mean:.2f}" == cells[1].rstrip("%"), cells[0]


def test_mt_bench_question_count() -> None:
    assert "10 multi-turn questions per category" in notes_line(1561) and "160 questions" in notes_line(1561)
    categories = ["writing", "roleplay", "extraction", "reasoning", "math", "coding", "knowledge I", "knowledge II"]
    assert all(c in notes_line(1561) for c in categories)
    assert len(categories) * 10 == 80  # 80 questions of two turns each = 160 turns


def test_gelu_derivative_vanishes_and_sigmoid_of_minus_point_seven() -> None:
    def gelu_grad(x: float) -> float:
        return 0.5 * (1 + math.erf(x / math.sqrt(2))) + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi)

    assert gelu_grad(-0.7518) == pytest.approx(0.0, abs=1e-4)
    assert gelu_grad(-0.76) < 0 < gelu_grad(-0.74)
    neuron = get_concept("neuron")
    assert neuron.execute(neuron.example)["y"] == pytest.approx(0.3318, abs=1e-4)


def test_beam_search_can_end_below_greedy() -> None:
    """Our old claim 'beam is at least as likely as greedy' was false; this tree is the counterexample."""
    beam = get_concept("beam_search")
    run = {"start": "S", "tree": GREEDY_BEATS_BEAM, "steps": 3}
    greedy = beam.execute({**run, "beam_width": 1})["beams"][0]
    width2 = beam.execute({**run, "beam_width": 2})["beams"][0]
    width3 = beam.execute({**run, "beam_width": 3})["beams"][0]
    assert greedy == {"text": "S A x end", "prob": pytest.approx(0.16), "finished": True}
    assert width2["text"] == "S B b p" and width2["prob"] == pytest.approx(0.0875)
    assert width2["prob"] < greedy["prob"]
    assert width3["text"] == "S C c t" and width3["prob"] == pytest.approx(0.25)  # width is not monotone


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [([4, 9, 10, 13], True), ([4, 4, 10], True), ([6, 9, 13], True), ([10, 13, 13], False), ([6, 12], False),
     ([8, 24], False), ([2, 4], False), ([24], True), ([1, 1, 1, 1], False), ([3, 3, 8, 8], True)],
)  # fmt: skip
def test_game_of_24_reachability(numbers: list[int], expected: bool) -> None:
    assert reaches([Fraction(n) for n in numbers]) is expected  # 3 3 8 8 needs 8/(3 - 8/3): exact fractions


def test_old_tot_example_states_could_not_reach_24() -> None:
    """The example we replaced ranked '(left: 6 12)' and '(left: 8 24)' first: neither can make 24."""
    tot = get_concept("tree_of_thoughts_value")
    old = {"4 + 8 = 12 (left: 6 12)": ["sure"], "4 * 6 = 24 (left: 8 24)": ["likely"], "8 - 6 = 2 (left: 2 4)": []}
    out = tot.execute({"evaluations": old, "breadth": 2})
    assert out["can_reach_24"] == dict.fromkeys(old, False)
    unparsed = tot.execute({"evaluations": {"no numbers here": ["sure"]}})
    assert unparsed["can_reach_24"] == {"no numbers here": None}
