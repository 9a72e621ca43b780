"""The live run view renders a ToT tree and a vote tally from the workflow's custom events."""

from __future__ import annotations

import io

from rich.console import Console

from server.cli.live import RunView


def render(view: RunView) -> str:
    console = Console(record=True, width=120)
    console.print(view.render())
    return console.export_text()


def test_tree_shows_children_of_the_root_with_values_and_selection() -> None:
    view = RunView(Console(file=io.StringIO()))
    view.handle(
        {
            "kind": "tot.expand",
            "data": {
                "parent_id": "0",
                "node_ids": ["1", "2"],
                "texts": ["4 + 5 = 9 (left: 6 9 10)", "10 - 6 = 4 (left: 4 4 5)"],
            },
        }
    )
    view.handle({"kind": "tot.evaluate", "data": {"node_id": "1", "value": 0.001}})
    view.handle({"kind": "tot.evaluate", "data": {"node_id": "2", "value": 20}})
    view.handle({"kind": "tot.select", "data": {"kept_ids": ["2"], "pruned_ids": ["1"]}})
    view.handle(
        {"kind": "tot.expand", "data": {"parent_id": "2", "node_ids": ["3"], "texts": ["4 * 5 = 20 (left: 4 20)"]}}
    )
    text = render(view)
    assert "✓ 2 v=20 10 - 6 = 4" in text and "✗ 1 v=0.001 4 + 5 = 9" in text
    assert text.index("10 - 6") < text.index("4 * 5 = 20")  # the grandchild sits under its parent


def test_tally_counts_votes_and_abstentions() -> None:
    view = RunView(Console(file=io.StringIO()))
    for answer in ["42", "42", "41"]:
        view.handle({"kind": "cot_sc.sample", "data": {"normalised": answer, "abstained": False}})
    view.handle({"kind": "cot_sc.sample", "data": {"abstained": True}})
    view.handle({"kind": "cot_sc.vote", "data": {"winner": "42", "agreement": 2 / 3, "samples_saved": 1}})
    text = render(view)
    assert "██ 2" in text and "█ 1" in text and "(abstained)" in text
    assert "winner '42', agreement 67%, samples saved 1" in " ".join(text.split())


def test_cli_workflow_names_match_the_registry() -> None:
    from server.cli.runs import WORKFLOW_NAMES
    from workflows.registry import WORKFLOWS

    assert set(WORKFLOW_NAMES) == set(WORKFLOWS)


def test_tree_shows_steps_pruned_as_invalid_with_the_reason() -> None:
    view = RunView(Console(file=io.StringIO()))
    expand = {"parent_id": "0", "node_ids": ["1"], "texts": ["4 + 5 = 9 (left: 6 9 10)"]}
    view.handle({"kind": "tot.expand", "data": expand})
    prune = {"parent_id": "0", "node_id": "2", "text": "10 / 6 = 30 (left: 30 10 10)", "reason": "10 / 6 = 5/3, not 30"}
    view.handle({"kind": "tot.prune", "data": prune})
    text = render(view)
    assert "· 1 4 + 5 = 9" in text
    assert "✗ 2 10 / 6 = 30 (left: 30 10 10)  invalid: 10 / 6 = 5/3, not 30" in text


def test_tally_says_whether_the_winner_verifies() -> None:
    view = RunView(Console(file=io.StringIO()))
    view.handle({"kind": "cot_sc.sample", "data": {"normalised": "(4 * 5) + (10 - 6) = 24", "abstained": False}})
    view.handle({"kind": "cot_sc.vote", "data": {"winner": "(4 * 5) + (10 - 6) = 24", "winner_verified": True}})
    assert "winner '(4 * 5) + (10 - 6) = 24' (verified)" in " ".join(render(view).split())


def test_tree_tags_steps_the_model_chose_or_the_program_added() -> None:
    view = RunView(Console(file=io.StringIO()))
    expand = {
        "parent_id": "0",
        "node_ids": ["1", "2", "3"],
        "texts": ["4 * 5 = 20 (left: 6 10 20)", "Answer: (10 - 6) + (4 * 5) = 24", "4 + 5 = 9 (left: 6 9 10)"],
        "proposers": ["choice", "program", "model"],
    }
    view.handle({"kind": "tot.expand", "data": expand})
    lines = render(view).splitlines()
    assert any("4 * 5 = 20 (left: 6 10 20)  [choice]" in ln for ln in lines)
    assert any("(4 * 5) = 24  [program]" in ln for ln in lines)
    assert any(ln.rstrip().endswith("4 + 5 = 9 (left: 6 9 10)") for ln in lines)  # the paper's steps stay untagged
