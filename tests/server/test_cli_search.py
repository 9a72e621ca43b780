"""`thinkroom search` as a user runs it: a table or JSON of hits, and one-line errors with exit 2."""

from __future__ import annotations

import json

from .helpers import run_cli


def test_search_prints_the_best_hits_as_a_table() -> None:
    result = run_cli("search", "What does GQA share?", "--limit", "3", timeout=60, COLUMNS="160")
    assert result.returncode == 0, result.stderr
    assert "3 hits for 'What does GQA share?'" in result.stdout
    assert "grouped_query_attention" in result.stdout  # wide enough that rich does not fold the id


def test_search_json_carries_line_ranges() -> None:
    result = run_cli("search", "Beam search", "--kind", "notes", "--limit", "2", "--json", timeout=60)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["query"] == "Beam search" and len(body["hits"]) == 2
    top = body["hits"][0]
    assert top["kind"] == "notes" and top["section"] == "Beam Search"
    assert top["line_start"] <= 584 <= top["line_end"]


def test_hostile_query_is_not_an_error() -> None:
    result = run_cli("search", 'a AND ("', timeout=60)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "no hits" in result.stderr


def test_blank_query_and_bad_kind_exit_2_with_one_line() -> None:
    blank = run_cli("search", "   ", timeout=60)
    assert blank.returncode == 2 and "Traceback" not in blank.stderr
    assert "blank" in blank.stderr and len(blank.stderr.strip().splitlines()) == 1
    bad = run_cli("search", "beam", "--kind", "video", timeout=60)
    assert bad.returncode == 2 and "video" in bad.stderr and "Traceback" not in bad.stderr
