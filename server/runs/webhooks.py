"""Webhooks: a finished run is POSTed, signed, to the URL its request named in `webhook`.

- The body is the run as `GET /threads/{thread_id}/runs/{run_id}` returns it, plus `values`
  (the run's output, as LangGraph Server sends) and `webhook_sent_at`.
- Every delivery is signed: `X-Thinkroom-Signature: sha256=<hex>` is the HMAC-SHA256, keyed
  with THINKROOM_WEBHOOK_SECRET, of `<X-Thinkroom-Timestamp>.<body>` (the timestamp is in the
  signed text so a captured delivery cannot be replayed later under a fresh timestamp).
  `X-Thinkroom-Delivery` is the same on every retry of one delivery, so a receiver can dedupe.
- Against SSRF (`server.runs.webhook_policy`) the URL is checked when the run is created (422
  naming `webhook`) and again, after a fresh DNS lookup, when it is delivered; the connection
  goes to the address that was checked, so a DNS answer that changes in between is not followed.
- A failed delivery (no connection, a timeout, 408, 429 or 5xx) is retried with exponential
  backoff (tenacity); redirects are not followed. Delivery never blocks or fails the run: its
  outcome is logged and stored as a `webhook` event of the run (when the run still exists).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from tenacity import AsyncRetrying, RetryError, retry_if_exception_type, stop_after_attempt, wait_exponential

from agents.settings import SettingsError
from server.db.events import EventRepo
from server.db.runs import RunRepo, as_api

from .serde import dumps
from .webhook_policy import HostPolicy, Refused, Target, parse_hosts

log = logging.getLogger("thinkroom.webhooks")
FINAL = frozenset({"success", "error", "interrupted", "timeout"})
RETRY_STATUSES = frozenset({408, 425, 429})
SIGNATURE_HEADER = "X-Thinkroom-Signature"
TIMESTAMP_HEADER = "X-Thinkroom-Timestamp"
DELIVERY_HEADER = "X-Thinkroom-Delivery"


class WebhookSettings(BaseSettings):
    """THINKROOM_WEBHOOK_* (read when the run manager starts, like the queue's settings)."""

    model_config = SettingsConfigDict(env_prefix="THINKROOM_WEBHOOK_", env_file=".env", extra="ignore")

    secret: str | None = Field(default=None, description="HMAC-SHA256 key; webhooks are refused while unset.")
    hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Allowed hosts (names, '*.domain', IPs or CIDR ranges), JSON list or comma-separated; "
                    "empty: any host with public addresses only.",
    )
    attempts: int = Field(default=5, ge=1, le=20, description="Deliveries tried before giving up.")
    backoff_s: float = Field(default=1.0, gt=0, le=300, description="First retry delay; doubles each time.")
    timeout_s: float = Field(default=10.0, gt=0, le=300, description="Per attempt.")

    @field_validator("hosts", mode="before")
    @classmethod
    def _hosts_list(cls, value: object) -> object:
        """A JSON list or a comma-separated string, as people write them in `.env`."""
        if isinstance(value, str):
            text = value.strip()
            return json.loads(text) if text.startswith("[") else [p.strip() for p in text.split(",") if p.strip()]
        return value

    @field_validator("hosts")
    @classmethod
    def _hosts_valid(cls, value: list[str]) -> list[str]:
        parse_hosts(value)  # a bad entry fails at start-up, naming it
        return value

    def policy(self) -> HostPolicy:
        return HostPolicy(parse_hosts(self.hosts))


def load_webhook_settings() -> WebhookSettings:
    """WebhookSettings, or a SettingsError naming each bad THINKROOM_WEBHOOK_* variable."""
    try:
        return WebhookSettings()
    except ValidationError as exc:
        problems = [f"THINKROOM_WEBHOOK_{'_'.join(str(p) for p in err['loc'][:1]).upper()}: {err['msg']}"
                    for err in exc.errors()]
        raise SettingsError("invalid configuration: " + "; ".join(problems)) from None


class RetryableDelivery(Exception):
    """An attempt that may succeed later (connection failure, timeout, 408/425/429/5xx)."""


@dataclass
class Delivery:
    """What happened to one delivery: stored as the run's `webhook` event."""

    url: str
    delivery_id: str
    delivered: bool
    attempts: int
    status_code: int | None = None
    error: str | None = None


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for a body sent at `timestamp` (unix seconds, as text)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class Webhooks:
    """Checks webhook URLs and delivers finished runs to them in background tasks."""

    def __init__(self, settings: WebhookSettings | None = None, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings or load_webhook_settings()
        self.policy = self.settings.policy()
        self.transport = transport
        self.tasks: set[asyncio.Task[Delivery | None]] = set()

    async def check(self, url: str) -> Target:
        """The address a URL may be delivered to, or Refused saying why (the run's 422)."""
        target = await self.policy.resolve(url)
        if not self.settings.secret:
            raise Refused("webhooks are off: set THINKROOM_WEBHOOK_SECRET so deliveries can be signed")
        return target

    # -- announcing a finished run ------------------------------------------------------------
    def announce(self, run_id: str, runs: RunRepo, events: EventRepo) -> None:
        """Deliver the run to its webhook, if it has one and has finished; never raises."""
        try:
            row = runs.get(run_id)
            url = (row.kwargs or {}).get("webhook") if row is not None else None
            if row is None or not url or row.status not in FINAL:
                return
            payload = {**as_api(row), "values": row.output}
        except Exception:  # a database hiccup must not fail the run whose outcome is already stored
            log.exception("run %s: could not read it for its webhook", run_id)
            return

        def record(delivery: Delivery) -> None:
            if runs.get(run_id) is None:  # a stateless run's thread was deleted with its runs
                return
            events.append([(run_id, events.next_seq(run_id), "webhook", dumps(asdict(delivery)))])

        task = asyncio.ensure_future(self._deliver_and_record(str(url), payload, record))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _deliver_and_record(
        self, url: str, payload: dict[str, Any], record: Callable[[Delivery], None]
    ) -> Delivery | None:
        try:
            delivery = await self.deliver(url, payload)
        except Exception:  # a bug here must not surface in the event loop's exception handler
            log.exception("run %s: webhook delivery to %s crashed", payload.get("run_id"), url)
            return None
        if delivery.delivered:
            log.info("run %s: webhook delivered to %s (HTTP %s, attempt %d)",
                     payload.get("run_id"), url, delivery.status_code, delivery.attempts)
        else:
            log.warning("run %s: webhook to %s failed after %d attempt(s): %s",
                        payload.get("run_id"), url, delivery.attempts, delivery.error)
        try:
            record(delivery)
        except Exception:
            log.exception("run %s: could not record its webhook delivery", payload.get("run_id"))
        return delivery

    # -- delivering -----------------------------------------------------------------------------
    async def deliver(self, url: str, payload: dict[str, Any]) -> Delivery:
        """POST the payload, retrying with backoff; the outcome, never an exception."""
        delivery = Delivery(url=url, delivery_id=str(uuid.uuid4()), delivered=False, attempts=0)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.attempts),
            wait=wait_exponential(multiplier=self.settings.backoff_s, max=300),
            retry=retry_if_exception_type(RetryableDelivery),
            reraise=False,
        )
        async with httpx.AsyncClient(
            transport=self.transport, timeout=self.settings.timeout_s, follow_redirects=False
        ) as http:
            try:
                async for attempt in retrying:
                    with attempt:
                        delivery.attempts = attempt.retry_state.attempt_number
                        await self._attempt(http, url, payload, delivery)
            except RetryError:
                pass  # the last attempt's error is in `delivery`
            except Refused as exc:
                delivery.error = f"refused: {exc}"
            except httpx.HTTPError as exc:  # not retryable (e.g. an invalid URL after all)
                delivery.error = f"{type(exc).__name__}: {exc}"
        return delivery

    async def _attempt(self, http: httpx.AsyncClient, url: str, payload: dict[str, Any], delivery: Delivery) -> None:
        target = await self.check(url)  # DNS again: the answer may have changed since the run was created
        body = dumps({**payload, "webhook_sent_at": datetime.now(UTC).isoformat()}).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "thinkroom-webhooks",
            "Host": target.host_header,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(str(self.settings.secret), timestamp, body),
            DELIVERY_HEADER: delivery.delivery_id,
        }
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        try:
            response = await http.post(target.pinned_url, content=body, headers=headers, extensions=extensions)
        except httpx.TransportError as exc:
            delivery.status_code, delivery.error = None, f"{type(exc).__name__}: {exc}"
            raise RetryableDelivery(delivery.error) from exc
        delivery.status_code = response.status_code
        if response.is_success:
            delivery.delivered, delivery.error = True, None
            return
        delivery.error = f"HTTP {response.status_code}"
        if response.status_code >= 500 or response.status_code in RETRY_STATUSES:
            raise RetryableDelivery(delivery.error)

    async def aclose(self) -> None:
        """Stop deliveries still in flight (on shutdown; each is logged as cancelled)."""
        for task in list(self.tasks):
            task.cancel()
        for task in list(self.tasks):
            try:
                await task
            except asyncio.CancelledError:
                log.warning("a webhook delivery was still in flight at shutdown and was dropped")


__all__ = ["Delivery", "Refused", "WebhookSettings", "Webhooks", "load_webhook_settings", "sign"]
