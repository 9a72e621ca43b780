"""A run field the server does not implement is refused with 422 naming it, never ignored;
stream_subgraphs is honoured because no served workflow has subgraphs (checked here)."""

from __future__ import annotations

import httpx
from langgraph.checkpoint.memory import InMemorySaver

from workflows.registry import WORKFLOWS


async def test_webhook_is_refused_naming_it(api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url) as http:
        body = {"assistant_id": "chat", "input": {"messages": [{"type": "human", "content": "hello"}]},
                "webhook": "http://127.0.0.1:9/hook"}
        response = await http.post("/runs/wait", json=body)
        runs = (await http.post("/runs/search", json={})).json() if response.status_code != 422 else None
    assert response.status_code == 422, (response.text, runs)
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and "webhook" in error["message"] and "not supported" in error["message"]


def test_no_workflow_has_subgraphs_so_stream_subgraphs_loses_nothing() -> None:
    for name, spec in WORKFLOWS.items():
        assert not list(spec.build().compile(checkpointer=InMemorySaver()).get_subgraphs()), name
