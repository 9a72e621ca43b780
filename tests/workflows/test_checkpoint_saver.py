"""The inline SQLite saver: LangGraph's tables and SQL, async methods without thread hops, and
writes group-committed at the end of the event loop iteration."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict

from workflows.checkpoint import InlineSqliteSaver, open_checkpointer


class Counter(TypedDict, total=False):
    n: int


def bump(state: Counter) -> dict[str, Any]:
    return {"n": state.get("n", 0) + 1}


def graph(saver: InlineSqliteSaver) -> Any:
    builder = StateGraph(Counter)
    builder.add_node("bump", bump)
    builder.add_edge(START, "bump")
    builder.add_edge("bump", END)
    return builder.compile(checkpointer=saver)


def stored_checkpoints(path: Path, thread_id: str) -> int:
    """What another connection (another process) sees on disk."""
    with sqlite3.connect(path) as other:
        return int(other.execute("SELECT count(*) FROM checkpoints WHERE thread_id = ?", (thread_id,)).fetchone()[0])


async def test_writes_commit_at_the_end_of_the_loop_iteration_and_on_commit(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.db"
    async with open_checkpointer(path) as saver:
        app = graph(saver)
        config = {"configurable": {"thread_id": "t1"}}
        result = await app.ainvoke({"n": 1}, config)
        assert result == {"n": 2}
        # the saver's own connection reads its writes at once, committed or not
        assert (await app.aget_state(config)).values == {"n": 2}
        saver.commit()
        committed = stored_checkpoints(path, "t1")
        assert committed >= 2  # input and end of the run, as LangGraph's SqliteSaver writes them

        await app.ainvoke({"n": 5}, config)
        await asyncio.sleep(0)  # one loop iteration: the grouped commit runs
        await asyncio.sleep(0)
        assert stored_checkpoints(path, "t1") > committed
        history = [c async for c in app.aget_state_history(config)]
        assert history[0].values == {"n": 6} and len(history) == stored_checkpoints(path, "t1")


async def test_closing_commits_what_is_still_grouped(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.db"
    async with open_checkpointer(path) as saver:
        await graph(saver).ainvoke({"n": 1}, {"configurable": {"thread_id": "t2"}})
        # no loop iteration has passed since the last write
    assert stored_checkpoints(path, "t2") >= 2


def test_without_a_running_loop_writes_commit_at_once(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.db"
    conn = sqlite3.connect(str(path), check_same_thread=False)
    try:
        saver = InlineSqliteSaver(conn)
        saver.setup()
        graph(saver).invoke({"n": 1}, {"configurable": {"thread_id": "t3"}})
        assert stored_checkpoints(path, "t3") >= 2
    finally:
        conn.close()
