"""`thinkroom run` / `runs show` keep their checkpoints in PostgreSQL when THINKROOM_DATABASE_URL
names it (a PostgreSQL URL moves everything), and in the SQLite checkpoint file otherwise."""

from __future__ import annotations

import json
from pathlib import Path

from tests.postgres import PostgresServer

from .helpers import run_cli

INPUT = '{"suite": "game24", "reference": true, "limit": 2}'  # reference answers: no model call


def test_a_cli_run_is_checkpointed_in_postgres(postgres: PostgresServer, tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text("[]")
    on_pg = {
        "THINKROOM_DATABASE_URL": postgres.database(), "THINKROOM_BACKEND": "scripted",
        "THINKROOM_SCRIPTED_RULES": str(rules), "THINKROOM_CHECKPOINT_PATH": str(tmp_path / "checkpoints.db"),
    }
    done = run_cli("run", "eval", "--input", INPUT, "--json", "--run-id", "pg-run", **on_pg)
    assert done.returncode == 0, done.stderr
    shown = run_cli("runs", "show", "pg-run", **on_pg)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["result"]["total_items"] == 2
    assert not (tmp_path / "checkpoints.db").exists()  # nothing went to the SQLite file
    on_sqlite = {**on_pg, "THINKROOM_DATABASE_URL": f"sqlite:///{tmp_path}/thinkroom.db"}
    missing = run_cli("runs", "show", "pg-run", **on_sqlite)
    assert missing.returncode == 2 and "no run 'pg-run'" in missing.stderr
