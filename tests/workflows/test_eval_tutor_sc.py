"""The self-consistent tutor as an eval column (issue 13): the vote leaves out sampled answers the
concept lab refutes, so a refuted majority does not become the graded answer."""

from __future__ import annotations

import json
from pathlib import Path

from tests.workflows.helpers import run_workflow, scripted
from tests.workflows.test_reason_personas import GREEDY, QUESTION, TUTOR_RULES


async def test_tutor_sc_column_grades_the_verified_answer_not_the_refuted_majority(tmp_path: Path) -> None:
    suite = json.dumps({"input": QUESTION, "answer": GREEDY}) + "\n"
    spec = {"suite": "jsonl", "suite_text": suite, "strategies": ["tutor_sc"], "samples": 5}
    values, _, _ = await run_workflow("eval", spec, scripted(TUTOR_RULES), tmp_path / "c.db")
    (column,) = values["result"]["columns"]
    assert column["id"].startswith("tutor_sc@") and (column["correct"], column["items"]) == (1, 1)
    (output,) = values["result"]["items"][0]["outputs"].values()
    assert output["output"] == GREEDY and output["calls"] == 5  # 3 of 5 samples said "uniform"
    assert output["detail"]["agreement"] == 0.4 and "left out of the vote" in output["detail"]["reply"]
