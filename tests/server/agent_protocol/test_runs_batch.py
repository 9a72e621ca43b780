"""POST /runs/batch through langgraph-sdk's `runs.create_batch`: every item is checked before
any run is created, so one bad item (named by its index) creates none; good batches create
every run, stateless or on the thread an item names."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient

from .conftest import REPLY

HELLO = {"messages": [{"type": "human", "content": "hello"}]}


async def test_a_batch_creates_every_run(client: LangGraphClient) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    payloads: list[Any] = [
        {"assistant_id": "chat", "input": HELLO, "metadata": {"n": n}} for n in range(3)
    ] + [{"assistant_id": "chat", "input": HELLO, "thread_id": thread_id}]
    runs = await client.runs.create_batch(payloads)
    assert len(runs) == 4 and len({run["run_id"] for run in runs}) == 4
    assert [run["metadata"].get("n") for run in runs[:3]] == [0, 1, 2]
    assert runs[3]["thread_id"] == thread_id and len({run["thread_id"] for run in runs}) == 4
    on_thread = await client.runs.join(thread_id, runs[3]["run_id"])
    assert on_thread["messages"][-1]["content"] == REPLY
    assert [run["run_id"] for run in await client.runs.list(thread_id)] == [runs[3]["run_id"]]


@pytest.mark.parametrize(
    ("bad", "status", "field"),
    [
        ({"assistant_id": "chat", "input": HELLO, "bogus": 1}, 422, "1.bogus"),
        ({"assistant_id": "chat", "input": HELLO, "webhook": "http://127.0.0.1:9/hook"}, 422, "1.webhook"),
        ({"assistant_id": "chat", "input": HELLO, "context": {"nope": 1}}, 422, "1.context.nope"),
        ({"assistant_id": "no-such-assistant", "input": HELLO}, 404, "1"),
        ({"assistant_id": "chat", "input": HELLO, "thread_id": "no-such-thread"}, 404, "1.thread_id"),
    ],
)
async def test_one_bad_item_creates_no_run(
    client: LangGraphClient, bad: dict[str, Any], status: int, field: str
) -> None:
    thread_id = (await client.threads.create())["thread_id"]
    good = {"assistant_id": "chat", "input": HELLO, "thread_id": thread_id}
    with pytest.raises(httpx.HTTPStatusError) as caught:
        await client.runs.create_batch([good, bad, good])  # type: ignore[list-item]
    response = caught.value.response
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert field in [f["field"] for f in error["fields"]], error
    assert await client.runs.list(thread_id) == []  # the good items were not created either


async def test_an_empty_batch_is_empty_and_a_huge_one_refused(client: LangGraphClient, api_url: str) -> None:
    assert await client.runs.create_batch([]) == []
    async with httpx.AsyncClient(base_url=api_url, timeout=60) as http:
        response = await http.post("/runs/batch", json=[{"assistant_id": "chat"}] * 101)
        not_a_list = await http.post("/runs/batch", json={"assistant_id": "chat"})
    assert response.status_code == 422 and not_a_list.status_code == 422
