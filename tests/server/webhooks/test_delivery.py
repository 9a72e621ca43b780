"""Webhooks.deliver in-process (httpx MockTransport, nothing leaves the process): the request
goes to the address that was checked, with the URL's Host and TLS name; a host whose DNS
answer turns private between creation and delivery is refused, not called."""

from __future__ import annotations

import ipaddress
from typing import Any

import httpx
import pytest

from server.runs import webhook_policy
from server.runs.webhooks import Webhooks, WebhookSettings, sign


def webhooks(handler: Any, *hosts: str) -> Webhooks:
    settings = WebhookSettings(secret="k", hosts=list(hosts), attempts=2, backoff_s=0.01)
    return Webhooks(settings, transport=httpx.MockTransport(handler))


async def test_https_delivery_is_pinned_to_the_checked_address() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    delivery = await webhooks(handler, "localhost").deliver("https://localhost:8443/hook?a=1", {"run_id": "r"})
    assert delivery.delivered and delivery.status_code == 204 and delivery.attempts == 1
    [request] = seen
    assert request.url.host in ("127.0.0.1", "::1") and request.url.port == 8443 and request.url.query == b"a=1"
    assert request.headers["Host"] == "localhost:8443" and request.extensions["sni_hostname"] == "localhost"
    timestamp = request.headers["X-Thinkroom-Timestamp"]
    assert request.headers["X-Thinkroom-Signature"] == sign("k", timestamp, request.content)


async def test_a_host_that_turns_private_is_refused_at_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([[ipaddress.ip_address("93.184.216.34")], [ipaddress.ip_address("10.0.0.5")]])

    async def rebinding(host: str, port: int) -> list[Any]:
        return next(answers)

    monkeypatch.setattr(webhook_policy, "_addresses", rebinding)
    called: list[httpx.Request] = []
    hooks = webhooks(lambda request: called.append(request) or httpx.Response(200))
    await hooks.check("http://hooks.example.com/h")  # at run creation: public
    delivery = await hooks.deliver("http://hooks.example.com/h", {"run_id": "r"})
    assert not delivery.delivered and "private" in (delivery.error or "") and called == []


async def test_4xx_is_not_retried_and_5xx_is_until_attempts_run_out() -> None:
    statuses = iter([404])
    gone = await webhooks(lambda _: httpx.Response(next(statuses)), "127.0.0.1").deliver("http://127.0.0.1/h", {})
    assert (gone.delivered, gone.attempts, gone.error) == (False, 1, "HTTP 404")
    down = await webhooks(lambda _: httpx.Response(503), "127.0.0.1").deliver("http://127.0.0.1/h", {})
    assert (down.delivered, down.attempts, down.status_code) == (False, 2, 503)
