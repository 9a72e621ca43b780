"""Webhooks over a real `thinkroom serve`, driven by langgraph-sdk: the finished run is POSTed,
signed with THINKROOM_WEBHOOK_SECRET, to a local receiver (pytest-httpserver); a 500 is retried
and then delivered; a failing receiver never fails the run; each outcome is stored as the run's
`webhook` event; and a URL the SSRF policy does not allow is a 422 naming `webhook`."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient
from pytest_httpserver import HTTPServer
from werkzeug import Request

from tests.server.agent_protocol.conftest import database_env, server_env
from tests.server.helpers import free_port, running_server

SECRET = "test-webhook-secret"
HELLO = {"messages": [{"type": "human", "content": "hello"}]}
PATIENCE_S = 60  # how long a test waits for a delivery before failing (not a timing assertion)


@pytest.fixture(scope="module")
def receiver() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1")
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture(autouse=True)
def fresh_log(receiver: HTTPServer) -> None:
    receiver.clear_log()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api_url(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[str]:
    """The server delivers from the SQLite run manager and from the PostgreSQL (replica) one."""
    directory = tmp_path_factory.mktemp(f"webhooks-{request.param}")
    env = server_env(
        directory, THINKROOM_WEBHOOK_SECRET=SECRET, THINKROOM_WEBHOOK_HOSTS="127.0.0.1",
        THINKROOM_WEBHOOK_BACKOFF_S="0.05", THINKROOM_WEBHOOK_ATTEMPTS="3",
        **database_env(request, str(request.param)),
    )
    with running_server(directory, **env) as url:
        yield url


@pytest.fixture
def client(api_url: str) -> LangGraphClient:
    return get_client(url=api_url, api_key=None)


async def requests_to(receiver: HTTPServer, path: str, count: int) -> list[Request]:
    """The receiver's requests to `path`, once there are `count` of them."""
    for _ in range(PATIENCE_S * 20):
        found = [request for request, _ in receiver.log if request.path == path]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path}: {count} request(s) expected, got {len(found)}")


async def webhook_event(client: LangGraphClient, thread_id: str, run_id: str) -> dict[str, Any]:
    """The run's stored `webhook` event (written once the delivery has finished)."""
    for _ in range(PATIENCE_S * 20):
        async for part in client.runs.join_stream(thread_id, run_id):
            if part.event == "webhook":
                data: dict[str, Any] = part.data
                return data
        await asyncio.sleep(0.05)
    raise AssertionError("no webhook event was recorded")


def verify(request: Request) -> dict[str, Any]:
    """What a receiver does: check the signature over `<timestamp>.<body>`, then read the body."""
    timestamp = request.headers["X-Thinkroom-Timestamp"]
    body = request.get_data()
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["X-Thinkroom-Signature"], f"sha256={expected}")
    payload: dict[str, Any] = json.loads(body)
    return payload


async def test_finished_run_is_posted_signed(client: LangGraphClient, receiver: HTTPServer) -> None:
    receiver.expect_request("/signed", method="POST").respond_with_data("ok")
    thread = await client.threads.create()
    url = receiver.url_for("/signed")
    result = await client.runs.wait(thread["thread_id"], "chat", input=HELLO, webhook=url)
    assert result["messages"][-1]["content"] == "Hello there, dear learner"
    run = (await client.runs.list(thread["thread_id"]))[0]

    [request] = await requests_to(receiver, "/signed", 1)
    payload = verify(request)
    assert request.headers["Host"] == f"127.0.0.1:{receiver.port}"
    assert {k: payload[k] for k in ("run_id", "thread_id", "status")} == {
        "run_id": run["run_id"], "thread_id": thread["thread_id"], "status": "success"}
    assert payload["kwargs"]["webhook"] == url and payload["webhook_sent_at"]
    assert payload["values"]["messages"][-1]["content"] == "Hello there, dear learner"
    got = await client.runs.get(thread["thread_id"], run["run_id"])
    assert {k: payload[k] for k in got} == got  # the run as GET returns it, plus values and webhook_sent_at

    tampered = payload | {"status": "error"}
    timestamp = request.headers["X-Thinkroom-Timestamp"]
    forged = hmac.new(SECRET.encode(), f"{timestamp}.{json.dumps(tampered)}".encode(), hashlib.sha256).hexdigest()
    assert request.headers["X-Thinkroom-Signature"] != f"sha256={forged}"

    event = await webhook_event(client, thread["thread_id"], run["run_id"])
    assert event["delivered"] is True and event["status_code"] == 200 and event["attempts"] == 1


async def test_a_500_is_retried_then_delivered(client: LangGraphClient, receiver: HTTPServer) -> None:
    receiver.expect_ordered_request("/flaky", method="POST").respond_with_data("down", status=500)
    receiver.expect_ordered_request("/flaky", method="POST").respond_with_data("ok")
    thread = await client.threads.create()
    run = await client.runs.create(thread["thread_id"], "chat", input=HELLO, webhook=receiver.url_for("/flaky"))
    await client.runs.join(thread["thread_id"], run["run_id"])

    first, second = await requests_to(receiver, "/flaky", 2)
    assert verify(first) == verify(second) | {"webhook_sent_at": verify(first)["webhook_sent_at"]}
    assert first.headers["X-Thinkroom-Delivery"] == second.headers["X-Thinkroom-Delivery"]  # one delivery, retried
    event = await webhook_event(client, thread["thread_id"], run["run_id"])
    assert (event["delivered"], event["attempts"], event["status_code"]) == (True, 2, 200)


async def test_a_stateless_run_is_posted_before_its_thread_goes(client: LangGraphClient, receiver: HTTPServer) -> None:
    receiver.expect_request("/stateless", method="POST").respond_with_data("ok")
    result = await client.runs.wait(None, "chat", input=HELLO, webhook=receiver.url_for("/stateless"))
    assert result["messages"][-1]["content"] == "Hello there, dear learner"
    [request] = await requests_to(receiver, "/stateless", 1)
    payload = verify(request)
    assert payload["status"] == "success" and payload["values"]["messages"] == result["messages"]
    with pytest.raises(httpx.HTTPStatusError):  # deleted with its thread, as on_completion=delete says
        await client.threads.get(payload["thread_id"])


async def test_an_unreachable_receiver_never_fails_the_run(client: LangGraphClient) -> None:
    dead = f"http://127.0.0.1:{free_port()}/gone"  # listed host, nothing listening
    thread = await client.threads.create()
    run = await client.runs.create(thread["thread_id"], "chat", input=HELLO, webhook=dead)
    await client.runs.join(thread["thread_id"], run["run_id"])
    assert (await client.runs.get(thread["thread_id"], run["run_id"]))["status"] == "success"
    event = await webhook_event(client, thread["thread_id"], run["run_id"])
    assert event["delivered"] is False and event["attempts"] == 3 and "Connect" in event["error"]


async def test_an_interrupted_run_is_posted_too(client: LangGraphClient, receiver: HTTPServer) -> None:
    receiver.expect_request("/cancelled", method="POST").respond_with_data("ok")
    thread = await client.threads.create()
    run = await client.runs.create(thread["thread_id"], "slow", input={"delay": 60},
                                   webhook=receiver.url_for("/cancelled"))
    await client.runs.cancel(thread["thread_id"], run["run_id"], wait=True)
    [request] = await requests_to(receiver, "/cancelled", 1)
    assert verify(request)["status"] == "interrupted"


async def test_a_queued_run_cancelled_before_it_started_is_posted(
    client: LangGraphClient, receiver: HTTPServer
) -> None:
    """Queued behind a running run (on PostgreSQL: held by no replica yet), then cancelled."""
    receiver.expect_request("/queued", method="POST").respond_with_data("ok")
    thread_id = (await client.threads.create())["thread_id"]
    running = await client.runs.create(thread_id, "slow", input={"delay": 60})
    queued = await client.runs.create(thread_id, "chat", input=HELLO, webhook=receiver.url_for("/queued"),
                                      multitask_strategy="enqueue")
    await client.runs.cancel(thread_id, queued["run_id"], wait=True)
    [request] = await requests_to(receiver, "/queued", 1)
    payload = verify(request)
    assert (payload["run_id"], payload["status"]) == (queued["run_id"], "interrupted")
    await client.runs.cancel(thread_id, running["run_id"], wait=True)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://127.0.0.2:9/hook", ["loopback", "THINKROOM_WEBHOOK_HOSTS"]),  # loopback, but not the listed one
        ("http://10.0.0.1/hook", ["private"]),
        ("http://169.254.169.254/latest/meta-data", ["link-local"]),
        ("http://93.184.216.34/hook", ["not in THINKROOM_WEBHOOK_HOSTS"]),  # public, but a list is set
        ("ftp://127.0.0.1/hook", ["http"]),
    ],
)
async def test_a_webhook_the_policy_refuses_is_a_422_and_no_run(
    client: LangGraphClient, api_url: str, url: str, words: list[str]
) -> None:
    thread = await client.threads.create()
    with pytest.raises(httpx.HTTPStatusError) as caught:
        await client.runs.create(thread["thread_id"], "chat", input=HELLO, webhook=url)
    assert caught.value.response.status_code == 422
    error = caught.value.response.json()["error"]
    assert error["fields"][0]["field"] == "webhook", error
    for word in words:
        assert word in error["message"], error
    assert await client.runs.list(thread["thread_id"]) == []


def test_webhooks_are_refused_while_no_secret_is_set(tmp_path: Path) -> None:
    env = server_env(tmp_path, THINKROOM_WEBHOOK_HOSTS="127.0.0.1")
    with running_server(tmp_path, **env) as url:
        response = httpx.post(f"{url}/runs", json={"assistant_id": "chat", "input": HELLO,
                                                   "webhook": "http://127.0.0.1:9/hook"}, timeout=60)
    assert response.status_code == 422
    assert "THINKROOM_WEBHOOK_SECRET" in response.json()["error"]["message"]
