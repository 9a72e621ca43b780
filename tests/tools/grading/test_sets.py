"""Set answers: exact equality over the items the answer keeps."""

from __future__ import annotations

from tools.grading.sets import check_set, mentioned_items

FRUIT = {"apple": 0.4, "banana": 0.3, "cherry": 0.2, "date": 0.1}
NUMBERS = {"0.4": 0.4, "0.3": 0.3, "0.2": 0.2, "0.1": 0.1}


def test_the_exact_set_passes_and_one_token_off_fails() -> None:
    assert check_set("apple, banana and cherry", FRUIT, {"apple", "banana", "cherry"}).equal
    short = check_set("apple and banana", FRUIT, {"apple", "banana", "cherry"})
    assert not short.equal and short.missing == ["cherry"] and short.extra == []
    long = check_set("apple, banana, cherry and date", FRUIT, {"apple", "banana", "cherry"})
    assert long.extra == ["date"]


def test_excluded_items_do_not_count() -> None:
    assert mentioned_items("apple and banana, but not cherry", FRUIT) == {"apple", "banana"}
    assert mentioned_items("apple, banana; cherry is dropped", FRUIT) == {"apple", "banana"}


def test_a_rank_phrase_names_the_top_items() -> None:
    assert mentioned_items("the top two", FRUIT) == {"apple", "banana"}
    assert mentioned_items("the 3 most likely tokens", FRUIT) == {"apple", "banana", "cherry"}


def test_items_named_by_their_probability() -> None:
    kept = mentioned_items("0.4, 0.3 and 0.2, because the mass has to pass 0.7", NUMBERS)
    assert kept == {"0.4", "0.3", "0.2"}
