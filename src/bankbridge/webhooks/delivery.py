"""Background delivery of queued webhooks: claim, sign, POST, record, retry with backoff.

``DeliveryWorker`` polls the store for due webhooks. Each claim is a lease
(``claimed_until``) taken in one transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL),
so several processes can run workers on one database: a webhook is sent by one worker at a
time, and one whose worker died becomes due again when the lease runs out (at-least-once
delivery; receivers deduplicate by event id, as with Dwolla).

Each attempt is recorded with its request and (truncated) response. A 2xx answer delivers
the webhook; anything else (a redirect too: none is followed), a connection error or a
timeout schedules the next attempt
after ``schedule[n]`` (Dwolla's: 15 s up to 24 h, eight retries over about 72 h), and after
the last one the webhook is failed. ``POST /webhooks/{id}/retries`` queues it again.

An attempt that got no answer records one generic reason ("connection failed" or
"timeout"), never the error's detail: refused destinations, unknown names, closed ports and
resets all read alike, so the attempts log cannot be used to map a network. In remote mode
the client connects only to public addresses (``transport.py``); in sandbox mode local
receivers are allowed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx

from bankbridge.clock import isoformat, now
from bankbridge.config import Settings
from bankbridge.crypto import Vault, VaultError
from bankbridge.ids import new_id
from bankbridge.metrics import count_webhook_attempt
from bankbridge.models import (
    DELIVERED,
    FAILED,
    PENDING,
    DeliveryJob,
    Event,
    Header,
    WebhookAttempt,
)
from bankbridge.store.base import WebhookStore
from bankbridge.webhooks.signing import webhook_headers
from bankbridge.webhooks.transport import PublicOnlyTransport

__all__ = [
    "DEFAULT_LEASE",
    "DEFAULT_POLL_SECONDS",
    "DEFAULT_SCHEDULE",
    "DELIVERY_TIMEOUT_SECONDS",
    "DeliveryWorker",
    "EventRenderer",
    "delivery_client",
    "webhook_body",
]

log = logging.getLogger("bankbridge.webhooks")

# An event as the API presents it (``api/resources/events.py``), handed to the worker when
# the app is wired, so that delivery knows nothing of the API's hrefs or HAL.
EventRenderer = Callable[[Event], Mapping[str, Any]]

# Delay before each retry: attempt n+1 waits DEFAULT_SCHEDULE[n-1] after attempt n failed.
DEFAULT_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=15),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
    timedelta(hours=12),
    timedelta(hours=24),
)
DELIVERY_TIMEOUT_SECONDS = 10.0
DEFAULT_POLL_SECONDS = 0.5
# Longer than any delivery (the timeout), so a live worker never loses its claim.
DEFAULT_LEASE = timedelta(seconds=60)
DEFAULT_BATCH = 20
STOP_GRACE_SECONDS = 2.0
RESPONSE_BODY_LIMIT = 4096
RESPONSE_HEADERS_LIMIT = 50
CONNECTION_FAILED = "BankBridge: connection failed."
TIMED_OUT = "BankBridge: timeout."


def delivery_client(*, allow_local: bool) -> httpx.AsyncClient:
    """An HTTP client for receivers, never following redirects.

    Unless ``allow_local`` (sandbox mode), it connects only to public addresses, vetted on
    every connection, and ignores proxy settings from the environment.
    """
    if allow_local:
        return httpx.AsyncClient(
            transport=httpx.AsyncHTTPTransport(),
            timeout=httpx.Timeout(DELIVERY_TIMEOUT_SECONDS),
            follow_redirects=False,
        )
    return httpx.AsyncClient(
        transport=PublicOnlyTransport(),
        timeout=httpx.Timeout(DELIVERY_TIMEOUT_SECONDS),
        follow_redirects=False,
        trust_env=False,
    )


def webhook_body(render_event: EventRenderer, job: DeliveryJob) -> bytes:
    """The JSON a webhook carries: the event document plus Dwolla's ``timestamp``."""
    document = dict(render_event(job.event))
    document["timestamp"] = isoformat(job.event.created)
    return json.dumps(document, separators=(",", ":")).encode()


class DeliveryWorker:
    """Delivers due webhooks, in the background (``start``/``stop``) or on demand."""

    def __init__(
        self,
        store: WebhookStore,
        settings: Settings,
        vault: Vault,
        http: httpx.AsyncClient,
        *,
        render_event: EventRenderer,
        schedule: Sequence[timedelta] = DEFAULT_SCHEDULE,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        lease: timedelta = DEFAULT_LEASE,
        batch_size: int = DEFAULT_BATCH,
        clock: Callable[[], datetime] = now,
    ) -> None:
        self._store = store
        self._settings = settings
        self._vault = vault
        self._http = http
        self._render_event = render_event
        self._schedule = tuple(schedule)
        self._poll_seconds = poll_seconds
        self._lease = lease
        self._batch_size = batch_size
        self._clock = clock
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start polling in the background (on the running event loop)."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._loop(), name="bankbridge-webhooks")

    async def stop(self) -> None:
        """Stop polling; an unfinished delivery is cancelled after a grace period.

        A cancelled delivery keeps its lease and is sent again once that runs out.
        """
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_GRACE_SECONDS)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        """Look for due webhooks now instead of at the next poll."""
        self._wake.set()

    async def run_once(self) -> int:
        """Claim and deliver one batch of due webhooks; return how many were attempted."""
        moment = self._clock()
        jobs = await self._store.claim_webhooks(
            new_id(), moment, moment + self._lease, self._batch_size
        )
        results = await asyncio.gather(
            *(self._deliver(job) for job in jobs), return_exceptions=True
        )
        for job, result in zip(jobs, results, strict=True):
            if isinstance(result, BaseException):
                log.error("webhook %s: delivery not recorded", job.webhook_id, exc_info=result)
        return len(jobs)

    # Private ------------------------------------------------------------------------

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                delivered = await self.run_once()
            except Exception:
                log.exception("webhook delivery round failed; retrying at the next poll")
                delivered = 0
            if delivered or self._stopping:
                continue  # a full batch may mean more are due
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
            self._wake.clear()

    async def _deliver(self, job: DeliveryJob) -> None:
        body = webhook_body(self._render_event, job)
        request_at = self._clock()
        headers: dict[str, str] = {}
        response_headers: list[Header] = []
        try:
            secret = self._vault.decrypt(job.secret_ciphertext)
        except VaultError:
            log.error("webhook %s: the subscription secret cannot be decrypted", job.webhook_id)
            status, response_body = 0, "BankBridge: the subscription secret cannot be decrypted."
        else:
            headers = webhook_headers(secret, job.event.topic, body)
            status, response_headers, response_body = await self._post(job.url, headers, body)
        response_at = self._clock()
        attempt = WebhookAttempt(
            id=new_id(),
            webhook_id=job.webhook_id,
            request_at=request_at,
            request_url=job.url,
            request_headers=tuple(headers.items()),
            request_body=body.decode(),
            response_at=response_at,
            response_status=status,
            response_headers=tuple(response_headers),
            response_body=response_body,
        )
        outcome, next_attempt_at = self._next(job.attempt_count + 1, attempt, response_at)
        count_webhook_attempt(outcome)
        log.log(
            logging.INFO if attempt.succeeded else logging.WARNING,
            "webhook attempt",
            extra={
                "webhook_id": job.webhook_id,
                "attempt": job.attempt_count + 1,
                "status": status,
                "outcome": outcome,
                "duration_ms": round((response_at - request_at).total_seconds() * 1000, 1),
            },
        )
        kept = await self._store.finish_webhook_attempt(job, attempt, outcome, next_attempt_at)
        if not kept:
            log.info("webhook %s: claim lost (retried or lease expired)", job.webhook_id)

    async def _post(
        self, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[Header], str]:
        """(status, headers, body) of the receiver's answer; status 0 when none came."""
        try:
            async with asyncio.timeout(DELIVERY_TIMEOUT_SECONDS):
                async with self._http.stream("POST", url, content=body, headers=headers) as answer:
                    received = bytearray()
                    async for chunk in answer.aiter_bytes():
                        received += chunk
                        if len(received) >= RESPONSE_BODY_LIMIT:
                            break
                    text = bytes(received[:RESPONSE_BODY_LIMIT]).decode("utf-8", "replace")
                    pairs = list(answer.headers.items())[:RESPONSE_HEADERS_LIMIT]
                    return answer.status_code, pairs, text
        except (TimeoutError, httpx.TimeoutException):
            return 0, [], TIMED_OUT
        except httpx.HTTPError:
            return 0, [], CONNECTION_FAILED

    def _next(
        self, attempts: int, attempt: WebhookAttempt, moment: datetime
    ) -> tuple[str, datetime]:
        """The webhook's status after ``attempts`` attempts, the last being ``attempt``."""
        if attempt.succeeded:
            return DELIVERED, moment
        if attempts > len(self._schedule):
            return FAILED, moment
        return PENDING, moment + self._schedule[attempts - 1]
